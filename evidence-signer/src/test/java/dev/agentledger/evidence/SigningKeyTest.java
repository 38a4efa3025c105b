package dev.agentledger.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeyTest {
  static final byte[] MESSAGE = "agent-ledger interop".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path dir;

  @Test
  void rfc8032TestVector1() {
    SigningKey key =
        SigningKey.fromSeed(
            Bytes.HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));

    assertThat(Bytes.hex(key.publicKeyRaw()))
        .isEqualTo("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    assertThat(Bytes.hex(key.sign(new byte[0])))
        .isEqualTo(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  }

  @Test
  void signatureVerifiesOnlyForTheSignedMessageAndKey() {
    SigningKey key = SigningKey.generate();
    byte[] sig = key.sign(MESSAGE);
    byte[] other = MESSAGE.clone();
    other[0] ^= 1;

    assertThat(key.verifyingKey().verify(MESSAGE, sig)).isTrue();
    assertThat(VerifyingKey.fromRaw(key.publicKeyRaw()).verify(MESSAGE, sig)).isTrue();
    assertThat(key.verifyingKey().verify(other, sig)).isFalse();
    assertThat(SigningKey.generate().verifyingKey().verify(MESSAGE, sig)).isFalse();
    assertThat(key.verifyingKey().verify(MESSAGE, Arrays.copyOf(sig, 63))).isFalse();
  }

  @Test
  void keyIdIsPrefixAndFirst16HexOfPublicKeySha256() {
    SigningKey key = SigningKey.generate();
    String sha = Bytes.hex(Bytes.sha256(key.publicKeyRaw()));

    assertThat(key.keyId())
        .matches("ed25519-[0-9a-f]{16}")
        .isEqualTo("ed25519-" + sha.substring(0, 16));
  }

  @Test
  void pemRoundTripKeepsTheKey() throws IOException {
    SigningKey key = SigningKey.generate();
    SigningKey loaded = SigningKey.fromPem(key.toPem());

    assertThat(loaded.privateKeyRaw()).isEqualTo(key.privateKeyRaw());
    assertThat(loaded.keyId()).isEqualTo(key.keyId());
    assertThat(key.toPem())
        .startsWith("-----BEGIN PRIVATE KEY-----\n")
        .endsWith("-----END PRIVATE KEY-----\n");
  }

  @Test
  void opensslKeyLoadsWithItsPublicKeyAndId() throws Exception {
    OpensslKey openssl = OpensslKey.get(dir);
    SigningKey key = SigningKey.fromPem(openssl.pem());

    assertThat(key.publicKeyRaw()).isEqualTo(openssl.publicKey());
    assertThat(key.keyId()).isEqualTo(VerifyingKey.keyIdOf(openssl.publicKey()));
  }

  @Test
  void pemWeWriteIsByteIdenticalToOpenssl() throws Exception {
    OpensslKey openssl = OpensslKey.get(dir);
    assertThat(SigningKey.fromPem(openssl.pem()).toPem()).isEqualTo(openssl.pem());
  }

  @Test
  void signaturesEqualOpensslsBecauseEd25519IsDeterministic() throws Exception {
    OpensslKey openssl = OpensslKey.get(dir);
    SigningKey key = SigningKey.fromPem(openssl.pem());

    assertThat(key.sign(MESSAGE)).isEqualTo(openssl.signature());
    assertThat(VerifyingKey.fromRaw(openssl.publicKey()).verify(MESSAGE, openssl.signature()))
        .isTrue();
  }

  @Test
  void pemWithMismatchedEmbeddedPublicKeyIsRefused() {
    // PKCS#8 v2 (RFC 8410 example layout) carrying the RFC 8032 vector-1 seed but a zero public
    // key.
    String der =
        "3051020101300506032b657004220420"
            + "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
            + "812100"
            + "00".repeat(32);
    String pem = pem(Bytes.HEX.parseHex(der));

    assertThatThrownBy(() -> SigningKey.fromPem(pem)).hasMessageContaining("does not match");
  }

  @Test
  void nonEd25519AndEncryptedKeysAreRefused() {
    String x25519 = pem(Bytes.HEX.parseHex("302e020100300506032b656e04220420" + "00".repeat(32)));
    String encrypted =
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";

    assertThatThrownBy(() -> SigningKey.fromPem(x25519)).hasMessageContaining("not an Ed25519");
    assertThatThrownBy(() -> SigningKey.fromPem(encrypted)).hasMessageContaining("encrypted");
    assertThatThrownBy(() -> SigningKey.fromPem("nothing")).hasMessageContaining("no -----BEGIN");
  }

  @Test
  void loadOrCreateWritesOnceOwnerOnlyThenReuses() throws IOException {
    Path file = dir.resolve("keys/evidence.pem");

    SigningKey created = SigningKey.loadOrCreate(file);
    SigningKey again = SigningKey.loadOrCreate(file);

    assertThat(again.privateKeyRaw()).isEqualTo(created.privateKeyRaw());
    assertThat(Files.readString(file)).isEqualTo(created.toPem());
    if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
    }
    try (var listing = Files.list(file.getParent())) {
      assertThat(listing).containsExactly(file); // no temp file left behind
    }
  }

  @Test
  void writePemNeverOverwritesAKey() throws IOException {
    Path file = dir.resolve("k.pem");
    SigningKey first = SigningKey.generate();
    first.writePem(file);

    assertThatThrownBy(() -> SigningKey.generate().writePem(file))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(SigningKey.load(file).keyId()).isEqualTo(first.keyId());
  }

  @Test
  void toStringNeverShowsThePrivateKey() {
    SigningKey key = SigningKey.generate();
    assertThat(key.toString())
        .isEqualTo("SigningKey[" + key.keyId() + "]")
        .doesNotContain(Bytes.hex(key.privateKeyRaw()));
  }

  @Test
  void jwkHasTheRfc8037FieldsAndRoundTrips() {
    SigningKey key = SigningKey.generate();
    Map<String, String> jwk = key.toJwk();

    assertThat(jwk)
        .containsOnlyKeys("kty", "crv", "x", "kid", "use", "alg")
        .containsEntry("kty", "OKP")
        .containsEntry("crv", "Ed25519")
        .containsEntry("kid", key.keyId())
        .containsEntry("use", "sig")
        .containsEntry("alg", "EdDSA");
    assertThat(jwk.get("x")).hasSize(43).doesNotContain("=", "+", "/");
    assertThat(VerifyingKey.fromJwk(jwk)).isEqualTo(key.verifyingKey());
  }

  @Test
  void jwkWithAnotherKeysIdOrBadMembersIsRefused() {
    Map<String, String> jwk = SigningKey.generate().toJwk();

    assertThatThrownBy(() -> VerifyingKey.fromJwk(with(jwk, "kid", SigningKey.generate().keyId())))
        .hasMessageContaining("does not match");
    assertThatThrownBy(() -> VerifyingKey.fromJwk(with(jwk, "crv", "X25519")))
        .hasMessageContaining("crv");
    assertThatThrownBy(() -> VerifyingKey.fromJwk(with(jwk, "x", jwk.get("x") + "=")))
        .hasMessageContaining("base64url");
    assertThatThrownBy(() -> VerifyingKey.fromJwk(with(jwk, "x", "AAAA")))
        .hasMessageContaining("32 bytes");
  }

  @Test
  void invalidAndSmallOrderPublicKeysAreRefused() {
    String smallOrder = "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa";
    String identity = "01" + "00".repeat(31);

    for (String raw : new String[] {smallOrder, identity, "ff".repeat(32)}) {
      assertThatThrownBy(() -> VerifyingKey.fromRaw(Bytes.HEX.parseHex(raw)))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> VerifyingKey.fromRaw(new byte[31])).hasMessageContaining("32 bytes");
  }

  @Test
  void jwksRoundTripIndexesByDerivedKeyId() {
    VerifyingKey a = SigningKey.generate().verifyingKey();
    VerifyingKey b = SigningKey.generate().verifyingKey();
    Map<String, ?> jwks = PublicKeys.of(a, b).toJwks();

    PublicKeys parsed = PublicKeys.fromJwks(jwks);
    assertThat(parsed.find(a.keyId())).contains(a);
    assertThat(parsed.find(b.keyId())).contains(b);
    assertThat(parsed.find("ed25519-0000000000000000")).isEmpty();
  }

  private static Map<String, String> with(Map<String, String> jwk, String name, String value) {
    Map<String, String> copy = new HashMap<>(jwk);
    copy.put(name, value);
    return copy;
  }

  private static String pem(byte[] der) {
    return "-----BEGIN PRIVATE KEY-----\n"
        + java.util.Base64.getMimeEncoder().encodeToString(der)
        + "\n-----END PRIVATE KEY-----\n";
  }

  /**
   * A key made by openssl, its public key and its signature of {@link #MESSAGE}. Live from the
   * openssl binary when present; otherwise the same kind of triple, produced once with OpenSSL
   * 3.0.19 and pasted here.
   */
  record OpensslKey(String pem, byte[] publicKey, byte[] signature) {
    static final OpensslKey RECORDED =
        new OpensslKey(
            "-----BEGIN PRIVATE KEY-----\n"
                + "MC4CAQAwBQYDK2VwBCIEIO0INNrKGLYhIpK/8t8k/M6rCMwZa9X0VXrWO1JOgVEq\n"
                + "-----END PRIVATE KEY-----\n",
            Bytes.HEX.parseHex("f34aac9a859b4a242bf273b93116ddd379cbc70a73c56ab8c2adca98fc5d7b84"),
            Bytes.HEX.parseHex(
                "b9afde44f1ff5ed58ba048decbf0049bdca678d086673d2e8b6dfb8f7643e178"
                    + "ab4ba660b3919f0cd7420edde95ab8babc31d9c4ddf6ac483c19cbd10a09ed0b"));

    static OpensslKey get(Path dir) throws IOException, InterruptedException {
      if (!opensslAvailable()) {
        return RECORDED;
      }
      Path key = dir.resolve("openssl.pem");
      Path pub = dir.resolve("openssl-pub.der");
      Path msg = Files.write(dir.resolve("msg"), MESSAGE);
      Path sig = dir.resolve("msg.sig");
      openssl("genpkey", "-algorithm", "ed25519", "-out", key.toString());
      openssl("pkey", "-in", key.toString(), "-pubout", "-outform", "DER", "-out", pub.toString());
      openssl(
          "pkeyutl",
          "-sign",
          "-rawin",
          "-inkey",
          key.toString(),
          "-in",
          msg.toString(),
          "-out",
          sig.toString());
      byte[] spki = Files.readAllBytes(pub);
      return new OpensslKey(
          Files.readString(key),
          Arrays.copyOfRange(spki, spki.length - 32, spki.length),
          Files.readAllBytes(sig));
    }

    private static boolean opensslAvailable() throws InterruptedException {
      try {
        return new ProcessBuilder("openssl", "version").start().waitFor() == 0;
      } catch (IOException notInstalled) {
        return false;
      }
    }

    private static void openssl(String... args) throws IOException, InterruptedException {
      String[] command = new String[args.length + 1];
      command[0] = "openssl";
      System.arraycopy(args, 0, command, 1, args.length);
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IOException("openssl " + String.join(" ", args) + " failed: " + output);
      }
    }
  }
}
