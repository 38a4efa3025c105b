package dev.agentledger.evidence;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.math.ec.rfc7748.X25519Field;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.bouncycastle.util.encoders.Hex;

/**
 * Checks many Ed25519 signatures at once (RFC 8032 signatures; the batch equation of Bernstein et
 * al., "High-speed high-security signatures", §5). With random 128-bit z_i it tests
 *
 * <pre>[8]( Σ z_i·R_i + Σ_keys (Σ z_i·k_i mod L)·A − (Σ z_i·S_i mod L)·B ) = 0</pre>
 *
 * which holds for valid signatures and fails, except with probability 2^-128, when any of them is
 * invalid. One multi-scalar multiplication over the R_i (Pippenger's buckets) replaces a double
 * scalar multiplication per signature: several times faster on long runs of events signed by one
 * key. {@link #invalid} names the bad ones.
 *
 * <p>The check is RFC 8032's cofactored group equation (§5.1.7: [8][S]B = [8]R + [8][k]A), for
 * every signature, alone or in a batch, so a verdict never depends on what else was in the batch.
 * Verifiers using the cofactorless equation (OpenSSL, hence node:crypto) differ from it only on
 * signatures with a small-order component, which only the private key's holder can make; neither
 * accepts a signature the key holder did not make.
 *
 * <p>Field arithmetic is BouncyCastle's {@link X25519Field}; points use extended twisted Edwards
 * coordinates (Hisil–Wong–Carter–Dawson, a = −1). Not constant time: verification has no secrets.
 */
public final class Ed25519Batch {
  private static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
  private static final BigInteger L =
      BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));
  private static final int[] D = fieldOf(curveD());
  private static final int[] D2 = fieldOf(curveD().shiftLeft(1).mod(P));
  private static final Point BASE =
      decode(Hex.decode("5866666666666666666666666666666666666666666666666666666666666666"));
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int Z_BITS = 128;

  /**
   * One signature to check: the signer's 32-byte key, the signed bytes and the 64-byte signature.
   */
  public record Item(byte[] publicKey, byte[] message, byte[] signature) {}

  private Ed25519Batch() {}

  /**
   * Which signatures are invalid, by bisection: a batch that passes clears all of its signatures,
   * one that fails is split in halves, so a few bad signatures among many cost a few extra batch
   * checks, and one signature alone gets the same (cofactored) check as in a batch.
   */
  public static BitSet invalid(List<Item> items) {
    BitSet bad = new BitSet(items.size());
    bisect(items, 0, items.size(), bad);
    return bad;
  }

  private static void bisect(List<Item> items, int from, int to, BitSet bad) {
    if (to - from == 1) {
      bad.set(from, !verifyOne(items.get(from)));
      return;
    }
    if (from == to || verifyAll(items.subList(from, to))) {
      return;
    }
    int mid = (from + to) >>> 1;
    bisect(items, from, mid, bad);
    bisect(items, mid, to, bad);
  }

  /**
   * One signature, cofactored as in a batch. BC's (cofactorless, faster) check first: what it
   * accepts the cofactored equation accepts too; only what it refuses needs the second look.
   */
  static boolean verifyOne(Item item) {
    byte[] m = item.message();
    boolean plain =
        item.signature().length == 64
            && item.publicKey().length == 32
            && Ed25519.verify(item.signature(), 0, item.publicKey(), 0, m, 0, m.length);
    return plain || verifyAll(List.of(item));
  }

  /** True only if every signature is valid; false if at least one is not (or is malformed). */
  public static boolean verifyAll(List<Item> items) {
    if (items.isEmpty()) {
      return true;
    }
    int n = items.size();
    byte[] z = new byte[n * Z_BITS / 8];
    RANDOM.nextBytes(z);
    Point[] rs = new Point[n];
    Map<String, BigInteger> keyScalars = new HashMap<>();
    Map<String, byte[]> keys = new HashMap<>();
    BigInteger s = BigInteger.ZERO;
    for (int i = 0; i < n; i++) {
      Item item = items.get(i);
      if (item.signature().length != 64 || item.publicKey().length != 32) {
        return false;
      }
      BigInteger si = littleEndian(item.signature(), 32, 32);
      rs[i] = decode(java.util.Arrays.copyOfRange(item.signature(), 0, 32));
      if (si.compareTo(L) >= 0 || rs[i] == null) {
        return false;
      }
      BigInteger zi = littleEndian(z, i * 16, 16);
      BigInteger k = challenge(item);
      String key = Hex.toHexString(item.publicKey());
      keys.putIfAbsent(key, item.publicKey());
      keyScalars.merge(key, zi.multiply(k), BigInteger::add);
      s = s.add(zi.multiply(si));
    }
    Point sum = new Points().pippenger(rs, z);
    Points ops = new Points();
    for (Map.Entry<String, BigInteger> e : keyScalars.entrySet()) {
      Point a = decode(keys.get(e.getKey()));
      if (a == null) {
        return false;
      }
      ops.add(sum, ops.multiply(a, e.getValue().mod(L)), sum);
    }
    ops.add(sum, ops.multiply(BASE, L.subtract(s.mod(L))), sum);
    for (int i = 0; i < 3; i++) {
      ops.twice(sum, sum);
    }
    return sum.isNeutral();
  }

  /** k = SHA-512(R ‖ A ‖ M) mod L, as RFC 8032 §5.1.7. */
  private static BigInteger challenge(Item item) {
    try {
      MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
      sha512.update(item.signature(), 0, 32);
      sha512.update(item.publicKey());
      byte[] h = sha512.digest(item.message());
      return littleEndian(h, 0, 64).mod(L);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A point from its RFC 8032 §5.1.3 encoding, or null if it is not a canonical curve point. */
  static Point decode(byte[] encoded) {
    byte[] yBytes = encoded.clone();
    int sign = (yBytes[31] & 0x80) >>> 7;
    yBytes[31] &= 0x7F;
    if (littleEndian(yBytes, 0, 32).compareTo(P) >= 0) {
      return null;
    }
    Point p = new Point();
    X25519Field.decode(yBytes, 0, p.y);
    int[] u = X25519Field.create();
    int[] v = X25519Field.create();
    X25519Field.sqr(p.y, u);
    X25519Field.mul(u, D, v);
    X25519Field.subOne(u); // y² − 1
    X25519Field.addOne(v); // d·y² + 1
    if (!X25519Field.sqrtRatioVar(u, v, p.x)) {
      return null;
    }
    X25519Field.normalize(p.x);
    if (sign == 1 && X25519Field.isZeroVar(p.x)) {
      return null;
    }
    if ((p.x[0] & 1) != sign) {
      X25519Field.negate(p.x, p.x);
      X25519Field.normalize(p.x);
    }
    X25519Field.one(p.z);
    X25519Field.mul(p.x, p.y, p.t);
    return p;
  }

  private static BigInteger curveD() {
    BigInteger inverse = BigInteger.valueOf(121666).modInverse(P);
    return BigInteger.valueOf(-121665).multiply(inverse).mod(P);
  }

  private static int[] fieldOf(BigInteger value) {
    byte[] be = value.toByteArray();
    byte[] le = new byte[32];
    for (int i = 0; i < Math.min(32, be.length); i++) {
      le[i] = be[be.length - 1 - i];
    }
    int[] f = X25519Field.create();
    X25519Field.decode(le, 0, f);
    return f;
  }

  private static BigInteger littleEndian(byte[] bytes, int off, int len) {
    byte[] be = new byte[len];
    for (int i = 0; i < len; i++) {
      be[i] = bytes[off + len - 1 - i];
    }
    return new BigInteger(1, be);
  }

  /** A point in extended coordinates: x = X/Z, y = Y/Z, x·y = T/Z. */
  static final class Point {
    final int[] x = X25519Field.create();
    final int[] y = X25519Field.create();
    final int[] z = X25519Field.create();
    final int[] t = X25519Field.create();

    static Point neutral() {
      Point p = new Point();
      X25519Field.one(p.y);
      X25519Field.one(p.z);
      return p;
    }

    Point copy() {
      Point c = new Point();
      X25519Field.copy(x, 0, c.x, 0);
      X25519Field.copy(y, 0, c.y, 0);
      X25519Field.copy(z, 0, c.z, 0);
      X25519Field.copy(t, 0, c.t, 0);
      return c;
    }

    /** The neutral element (0, 1): X = 0 and Y = Z. */
    boolean isNeutral() {
      int[] px = X25519Field.create();
      int[] diff = X25519Field.create();
      X25519Field.copy(x, 0, px, 0);
      X25519Field.normalize(px);
      X25519Field.sub(y, z, diff);
      X25519Field.normalize(diff);
      return X25519Field.isZeroVar(px) && X25519Field.isZeroVar(diff);
    }
  }

  /** Point arithmetic with its own scratch space (one instance per thread). */
  static final class Points {
    private final int[] a = X25519Field.create();
    private final int[] b = X25519Field.create();
    private final int[] c = X25519Field.create();
    private final int[] d = X25519Field.create();
    private final int[] e = X25519Field.create();
    private final int[] f = X25519Field.create();
    private final int[] g = X25519Field.create();
    private final int[] h = X25519Field.create();

    /** r = p + q (complete: any points, r may be p or q). */
    void add(Point p, Point q, Point r) {
      X25519Field.sub(p.y, p.x, a);
      X25519Field.sub(q.y, q.x, h);
      X25519Field.carry(a);
      X25519Field.carry(h);
      X25519Field.mul(a, h, a); // (Y1 − X1)(Y2 − X2)
      X25519Field.add(p.y, p.x, b);
      X25519Field.add(q.y, q.x, h);
      X25519Field.carry(b);
      X25519Field.carry(h);
      X25519Field.mul(b, h, b); // (Y1 + X1)(Y2 + X2)
      X25519Field.mul(p.t, q.t, c);
      X25519Field.mul(c, D2, c); // 2d·T1·T2
      X25519Field.mul(p.z, q.z, d);
      X25519Field.add(d, d, d); // 2·Z1·Z2
      finish(b, a, d, c, r);
    }

    /** r = 2p (r may be p). */
    void twice(Point p, Point r) {
      X25519Field.sqr(p.x, a);
      X25519Field.sqr(p.y, b);
      X25519Field.sqr(p.z, c);
      X25519Field.add(c, c, c); // 2Z²
      X25519Field.add(p.x, p.y, e);
      X25519Field.carry(e);
      X25519Field.sqr(e, e); // (X + Y)²
      X25519Field.add(a, b, h); // H' = A + B
      X25519Field.sub(a, b, g); // G' = A − B
      X25519Field.sub(h, e, e); // E' = A + B − (X + Y)² = −2XY
      X25519Field.add(c, g, f); // F' = 2Z² + A − B
      outputs(r);
    }

    /** E = B − A, F = D − C, G = D + C, H = B + A, then the products. */
    private void finish(int[] bb, int[] aa, int[] dd, int[] cc, Point r) {
      X25519Field.sub(bb, aa, e);
      X25519Field.sub(dd, cc, f);
      X25519Field.add(dd, cc, g);
      X25519Field.add(bb, aa, h);
      outputs(r);
    }

    private void outputs(Point r) {
      X25519Field.carry(e);
      X25519Field.carry(f);
      X25519Field.carry(g);
      X25519Field.carry(h);
      X25519Field.mul(e, f, r.x);
      X25519Field.mul(g, h, r.y);
      X25519Field.mul(e, h, r.t);
      X25519Field.mul(f, g, r.z);
    }

    /** k·p by double-and-add (used twice per batch, for the key and the base point). */
    Point multiply(Point p, BigInteger k) {
      Point r = Point.neutral();
      for (int i = k.bitLength() - 1; i >= 0; i--) {
        twice(r, r);
        if (k.testBit(i)) {
          add(r, p, r);
        }
      }
      return r;
    }

    /** Σ z_i·p_i with 128-bit little-endian scalars z (16 bytes each), by Pippenger's buckets. */
    Point pippenger(Point[] points, byte[] z) {
      int n = points.length;
      int width = n < 16 ? 3 : n < 128 ? 5 : n < 1024 ? 7 : n < 4096 ? 8 : 9;
      Point sum = Point.neutral();
      Point[] buckets = new Point[1 << width];
      for (int window = (Z_BITS + width - 1) / width - 1; window >= 0; window--) {
        for (int i = 0; i < width; i++) {
          twice(sum, sum);
        }
        java.util.Arrays.fill(buckets, null);
        for (int i = 0; i < n; i++) {
          int digit = digit(z, i * 16, window * width, width);
          if (digit != 0) {
            if (buckets[digit] == null) {
              buckets[digit] = points[i].copy();
            } else {
              add(buckets[digit], points[i], buckets[digit]);
            }
          }
        }
        // Σ digit·bucket[digit] as running sums from the top bucket down
        Point running = Point.neutral();
        Point windowSum = Point.neutral();
        for (int k = buckets.length - 1; k >= 1; k--) {
          if (buckets[k] != null) {
            add(running, buckets[k], running);
          }
          add(windowSum, running, windowSum);
        }
        add(sum, windowSum, sum);
      }
      return sum;
    }

    /** Bits [from, from + width) of the little-endian scalar at z[off .. off + 16). */
    private static int digit(byte[] z, int off, int from, int width) {
      int value = 0;
      for (int bit = Math.min(from + width, Z_BITS) - 1; bit >= from; bit--) {
        value = (value << 1) | ((z[off + (bit >>> 3)] >>> (bit & 7)) & 1);
      }
      return value;
    }
  }
}
