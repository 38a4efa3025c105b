package dev.agentledger.evidence;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Map;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 signing key and its key id. Uses BouncyCastle's lightweight API directly: the JCA
 * route costs a provider lookup and a Signature object per event. Immutable and thread-safe.
 */
public final class SigningKey {
  public static final int SEED_LENGTH = 32;

  private final Ed25519PrivateKeyParameters privateKey;
  private final VerifyingKey verifyingKey;

  private SigningKey(Ed25519PrivateKeyParameters privateKey) {
    this.privateKey = privateKey;
    this.verifyingKey = VerifyingKey.of(privateKey.generatePublicKey());
  }

  public static SigningKey generate() {
    return new SigningKey(new Ed25519PrivateKeyParameters(new SecureRandom()));
  }

  /** The key whose RFC 8032 32-byte private key (seed) is {@code seed}. Deterministic. */
  public static SigningKey fromSeed(byte[] seed) {
    if (seed.length != SEED_LENGTH) {
      throw new IllegalArgumentException("Ed25519 seed must be 32 bytes");
    }
    return new SigningKey(new Ed25519PrivateKeyParameters(seed));
  }

  /** Parses an unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), e.g. from openssl. */
  public static SigningKey fromPem(String pem) throws IOException {
    return fromSeed(Pkcs8Pem.readSeed(pem));
  }

  public static SigningKey load(Path pemFile) throws IOException {
    // Latin-1 decodes any byte, so stray non-ASCII text around the PEM block cannot break loading.
    return fromPem(Files.readString(pemFile, StandardCharsets.ISO_8859_1));
  }

  /**
   * Loads the key, or on first start generates one and writes it. Safe against two processes
   * starting at once: exactly one file wins and both end up using it.
   */
  public static SigningKey loadOrCreate(Path pemFile) throws IOException {
    if (Files.exists(pemFile)) {
      return load(pemFile);
    }
    try {
      generate().writePem(pemFile);
    } catch (FileAlreadyExistsException raced) {
      // another process created it first; fall through and use theirs
    }
    return load(pemFile);
  }

  public String toPem() throws IOException {
    return Pkcs8Pem.write(privateKeyRaw());
  }

  /**
   * Writes the key as PKCS#8 PEM, owner-only (600) where the file system is POSIX. Never
   * overwrites: replacing a signing key silently would orphan every event it signed.
   *
   * @throws FileAlreadyExistsException if {@code pemFile} exists
   */
  public void writePem(Path pemFile) throws IOException {
    Path dir = pemFile.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".signing-key", ".tmp", ownerOnly(dir));
    try {
      Files.writeString(tmp, toPem(), StandardCharsets.US_ASCII);
      publish(tmp, pemFile);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Signs with pure Ed25519; returns the 64-byte signature. */
  public byte[] sign(byte[] message) {
    byte[] signature = new byte[VerifyingKey.SIGNATURE_LENGTH];
    // BouncyCastle caches the public key inside privateKey, so it is not recomputed per call.
    privateKey.sign(Ed25519.Algorithm.Ed25519, null, message, 0, message.length, signature, 0);
    return signature;
  }

  public String keyId() {
    return verifyingKey.keyId();
  }

  public byte[] publicKeyRaw() {
    return verifyingKey.publicKeyRaw();
  }

  public VerifyingKey verifyingKey() {
    return verifyingKey;
  }

  /** The public JWK (never contains the private part). */
  public Map<String, String> toJwk() {
    return verifyingKey.toJwk();
  }

  /**
   * The raw 32-byte private key (RFC 8032 seed). Exists only so ledger-api can build a nimbus
   * OctetKeyPair (d = this, x = {@link #publicKeyRaw()}) to mint EdDSA JWTs; do not log or store.
   */
  public byte[] privateKeyRaw() {
    return privateKey.getEncoded();
  }

  @Override
  public String toString() {
    return "SigningKey[" + keyId() + "]"; // never the private key
  }

  /** Hard link fails atomically if the target exists, unlike check-then-rename. */
  private static void publish(Path tmp, Path target) throws IOException {
    try {
      Files.createLink(target, tmp);
    } catch (FileAlreadyExistsException exists) {
      throw exists;
    } catch (UnsupportedOperationException | FileSystemException noHardLinks) {
      Files.move(tmp, target); // no replace: still refuses an existing key
    }
  }

  private static FileAttribute<?>[] ownerOnly(Path dir) {
    boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    return posix
        ? new FileAttribute<?>[] {
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
        }
        : new FileAttribute<?>[0];
  }
}
