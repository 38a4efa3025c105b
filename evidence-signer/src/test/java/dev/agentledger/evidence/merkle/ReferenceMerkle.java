package dev.agentledger.evidence.merkle;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Test oracle: RFC 6962 §2.1 written as literally as possible over in-memory lists, sharing no code
 * with the production classes (not even their hash functions).
 */
final class ReferenceMerkle {
  private ReferenceMerkle() {}

  static byte[] leaf(byte[] data) {
    return sha256(concat(new byte[] {0}, data));
  }

  static byte[] node(byte[] l, byte[] r) {
    return sha256(concat(new byte[] {1}, l, r));
  }

  /** MTH(D[n]) by the recursive definition. */
  static byte[] mth(List<byte[]> d) {
    int n = d.size();
    if (n == 0) {
      return sha256(new byte[0]);
    }
    if (n == 1) {
      return d.get(0);
    }
    int k = k(n);
    return node(mth(d.subList(0, k)), mth(d.subList(k, n)));
  }

  /**
   * The audit path, bottom-up by tree level: at level h the sibling of the leaf's ancestor, if it
   * exists, is the MTH of its (possibly incomplete) range; a missing sibling means the ancestor is
   * promoted unchanged. Different in shape from PATH's recursion on purpose.
   */
  static List<byte[]> inclusion(int index, List<byte[]> d) {
    List<byte[]> path = new ArrayList<>();
    int n = d.size();
    for (int h = 0; (1L << h) < n; h++) {
      long sibling = (index >> h) ^ 1;
      long lo = sibling << h;
      if (lo >= n) {
        continue;
      }
      long hi = Math.min(lo + (1L << h), n);
      path.add(mth(d.subList((int) lo, (int) hi)));
    }
    return path;
  }

  /** PROOF(m, D[n]) = SUBPROOF(m, D[n], true), recursively on sublists. */
  static List<byte[]> consistency(int m, List<byte[]> d) {
    return subproof(m, d, true);
  }

  private static List<byte[]> subproof(int m, List<byte[]> d, boolean b) {
    int n = d.size();
    if (m == n) {
      return b ? new ArrayList<>() : new ArrayList<>(List.of(mth(d)));
    }
    int k = k(n);
    List<byte[]> out;
    if (m <= k) {
      out = subproof(m, d.subList(0, k), b);
      out.add(mth(d.subList(k, n)));
    } else {
      out = subproof(m - k, d.subList(k, n), false);
      out.add(mth(d.subList(0, k)));
    }
    return out;
  }

  /** Largest power of two smaller than n, by counting up. */
  private static int k(int n) {
    int k = 1;
    while (k * 2 < n) {
      k *= 2;
    }
    return k;
  }

  private static byte[] concat(byte[]... parts) {
    int size = 0;
    for (byte[] p : parts) {
      size += p.length;
    }
    byte[] out = new byte[size];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
