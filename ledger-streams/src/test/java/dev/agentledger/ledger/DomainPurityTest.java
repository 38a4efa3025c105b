package dev.agentledger.ledger;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The domain decides from state and a given "now": no Kafka, HTTP, Avro, JSON or clock. */
class DomainPurityTest {
  private final JavaClasses domain =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.agentledger.ledger.domain");

  @Test
  void domainImportsNoInfrastructure() {
    noClasses()
        .that()
        .resideInAPackage("dev.agentledger.ledger.domain..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.kafka..",
            "io.javalin..",
            "org.apache.avro..",
            "com.fasterxml.jackson..",
            "dev.agentledger.schemas..",
            "dev.agentledger.evidence..",
            "dev.agentledger.ledger.topology..",
            "dev.agentledger.ledger.codec..")
        .check(domain);
  }

  @Test
  void domainNeverReadsTheClock() {
    noClasses()
        .that()
        .resideInAPackage("dev.agentledger.ledger.domain..")
        .should()
        .callMethod(java.time.Instant.class, "now")
        .orShould()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(System.class, "nanoTime")
        .orShould()
        .dependOnClassesThat()
        .areAssignableTo(java.time.Clock.class)
        .check(domain);
  }
}
