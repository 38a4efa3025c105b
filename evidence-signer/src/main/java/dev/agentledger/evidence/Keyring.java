package dev.agentledger.evidence;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The service's signing keys: one PKCS#8 PEM per key ({@code <key id>.pem}) and a {@code current}
 * file naming the key that signs now. Rotation adds a key and moves {@code current}; retired keys
 * stay, so every event they signed still verifies against the published JWKS.
 */
public final class Keyring {
  private static final String CURRENT = "current";

  private final Path dir;
  private final SigningKey current;
  private final List<VerifyingKey> all;

  private Keyring(Path dir, SigningKey current, List<VerifyingKey> all) {
    this.dir = dir;
    this.current = current;
    this.all = List.copyOf(all);
  }

  /** Opens the ring in {@code dir}, creating its first key when there is none. */
  public static Keyring open(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path pointer = dir.resolve(CURRENT);
    if (!Files.exists(pointer)) {
      SigningKey first = SigningKey.generate();
      first.writePem(dir.resolve(first.keyId() + ".pem"));
      point(dir, first.keyId());
    }
    String kid = Files.readString(pointer, StandardCharsets.US_ASCII).trim();
    SigningKey current = SigningKey.load(dir.resolve(kid + ".pem"));
    return new Keyring(dir, current, verifyingKeys(dir));
  }

  /** Generates a new signing key and makes it current; returns the reopened ring. */
  public static Keyring rotate(Path dir) throws IOException {
    open(dir);
    SigningKey next = SigningKey.generate();
    next.writePem(dir.resolve(next.keyId() + ".pem"));
    point(dir, next.keyId());
    return open(dir);
  }

  public SigningKey current() {
    return current;
  }

  /** Every key of the ring, current and retired: what a JWKS publishes. */
  public PublicKeys publicKeys() {
    return PublicKeys.of(all);
  }

  public Path dir() {
    return dir;
  }

  private static List<VerifyingKey> verifyingKeys(Path dir) throws IOException {
    List<VerifyingKey> keys = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path pem : files.filter(p -> p.toString().endsWith(".pem")).sorted().toList()) {
        keys.add(SigningKey.load(pem).verifyingKey());
      }
    }
    return keys;
  }

  /** Moves the pointer atomically, so a crash leaves the old or the new key current. */
  private static void point(Path dir, String kid) throws IOException {
    Path tmp = Files.createTempFile(dir, ".current", ".tmp");
    Files.writeString(tmp, kid + "\n", StandardCharsets.US_ASCII);
    Files.move(tmp, dir.resolve(CURRENT), StandardCopyOption.ATOMIC_MOVE);
  }
}
