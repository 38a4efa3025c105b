package dev.agentledger.evidence.checkpoint;

import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One budget extension line of a checkpoint: a tenant's totals for one root agent and one unit at
 * the checkpoint's tree size, so that budget conservation is part of what the log signs.
 *
 * <pre>budget &lt;root agent&gt; &lt;unit&gt; &lt;limit&gt; &lt;spent&gt; &lt;delegated&gt;</pre>
 *
 * Fields are separated by exactly one space. The agent and unit are tokens of 1–255 printable ASCII
 * characters other than space (0x21–0x7E). Numbers are signed 64-bit decimals with no leading
 * zeros, no plus sign and no "-0".
 */
public record BudgetTotal(String rootAgent, String unit, long limit, long spent, long delegated) {
  /** The keyword that starts every budget extension line. */
  public static final String KEYWORD = "budget";

  /** Sort order of the lines in a checkpoint: by root agent, then unit (both ASCII). */
  public static final Comparator<BudgetTotal> ORDER =
      Comparator.comparing(BudgetTotal::rootAgent).thenComparing(BudgetTotal::unit);

  private static final String NUMBER = "(0|-?[1-9][0-9]{0,18})";
  private static final Pattern LINE =
      Pattern.compile(
          KEYWORD
              + " ([\\x21-\\x7e]{1,255}) ([\\x21-\\x7e]{1,255}) "
              + NUMBER
              + " "
              + NUMBER
              + " "
              + NUMBER);

  public BudgetTotal {
    requireToken(rootAgent, "root agent");
    requireToken(unit, "unit");
  }

  /** The extension line, without its newline. */
  public String toLine() {
    return KEYWORD + " " + rootAgent + " " + unit + " " + limit + " " + spent + " " + delegated;
  }

  /**
   * Parses one extension line (without its newline).
   *
   * @throws IllegalArgumentException if it is not exactly a budget line in canonical form
   */
  public static BudgetTotal parseLine(String line) {
    Matcher m = LINE.matcher(line);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a budget line: " + abbreviate(line));
    }
    try {
      return new BudgetTotal(
          m.group(1),
          m.group(2),
          Long.parseLong(m.group(3)),
          Long.parseLong(m.group(4)),
          Long.parseLong(m.group(5)));
    } catch (NumberFormatException outOfRange) {
      throw new IllegalArgumentException("budget number out of 64-bit range: " + abbreviate(line));
    }
  }

  static boolean isToken(String s) {
    if (s == null || s.isEmpty() || s.length() > 255) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  private static void requireToken(String s, String what) {
    if (!isToken(s)) {
      throw new IllegalArgumentException(
          what + " must be 1-255 printable ASCII characters without spaces, was " + s);
    }
  }

  static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "…";
  }
}
