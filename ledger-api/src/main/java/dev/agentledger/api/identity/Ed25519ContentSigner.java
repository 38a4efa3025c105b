package dev.agentledger.api.identity;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.operator.ContentSigner;

/** Pure Ed25519 for BouncyCastle's certificate builders, without a JCA provider. One use each. */
final class Ed25519ContentSigner implements ContentSigner {
  private final Ed25519PrivateKeyParameters key;
  private final ByteArrayOutputStream tbs = new ByteArrayOutputStream();

  Ed25519ContentSigner(Ed25519PrivateKeyParameters key) {
    this.key = key;
  }

  @Override
  public AlgorithmIdentifier getAlgorithmIdentifier() {
    return new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519);
  }

  @Override
  public OutputStream getOutputStream() {
    return tbs;
  }

  @Override
  public byte[] getSignature() {
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, key);
    byte[] message = tbs.toByteArray();
    signer.update(message, 0, message.length);
    return signer.generateSignature();
  }
}
