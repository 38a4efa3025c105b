package dev.agentledger.bench;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop load generator: request {@code i} is sent at {@code start + i / rate} whatever is
 * still outstanding, and its latency is measured from that scheduled time, not from when it was
 * actually sent, so a stalled server (or a late generator) cannot hide its own queueing
 * (coordinated omission). Every completed request counts, failures included.
 */
final class OpenLoop {

  /** Builds request {@code i}. */
  interface Requests {
    HttpRequest request(int i);
  }

  /** Told of every completion; called on the HTTP client's threads. */
  interface Completion {
    void completed(int i, long scheduledNanos, long doneNanos, int status, String body);
  }

  record Result(
      String name,
      double targetRate,
      int scheduled,
      int ok,
      int errors,
      Map<String, Integer> errorKinds,
      Latencies latency,
      Latencies okLatency,
      double achievedRate,
      double maxSendLagMs,
      int maxInFlight,
      double seconds) {}

  private OpenLoop() {}

  /**
   * On a 2-core machine the common fork-join pool has parallelism 1, and {@link
   * java.util.concurrent.CompletableFuture} then runs every async completion on a new thread: the
   * JDK HTTP client completes each response that way, so the load generator would start a thread
   * per request and steal CPU from the service it measures. Call before anything touches the pool.
   */
  static void noThreadPerCompletion() {
    System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism", "2");
  }

  static Result run(
      HttpClient client,
      String name,
      double rate,
      int count,
      Requests requests,
      Completion completion,
      Duration drainTimeout)
      throws InterruptedException {
    long[] latency = new long[count];
    boolean[] ok = new boolean[count];
    boolean[] done = new boolean[count];
    Map<String, AtomicInteger> kinds = new ConcurrentHashMap<>();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    AtomicLong lastDone = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(count);
    double interval = 1e9 / rate;
    long maxLag = 0;
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
    for (int i = 0; i < count; i++) {
      long scheduled = start + (long) (i * interval);
      long wait;
      while ((wait = scheduled - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      maxLag = Math.max(maxLag, System.nanoTime() - scheduled);
      int index = i;
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      client
          .sendAsync(requests.request(i), HttpResponse.BodyHandlers.ofString())
          .whenComplete(
              (response, error) -> {
                long now = System.nanoTime();
                inFlight.decrementAndGet();
                int status = response == null ? -1 : response.statusCode();
                synchronized (latency) {
                  latency[index] = now - scheduled;
                  ok[index] = status / 100 == 2;
                  done[index] = true;
                }
                if (status / 100 != 2) {
                  String kind =
                      error != null
                          ? rootCause(error).getClass().getSimpleName()
                          : "HTTP " + status + " " + code(response.body());
                  kinds.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
                }
                lastDone.accumulateAndGet(now, Math::max);
                if (completion != null) {
                  completion.completed(
                      index, scheduled, now, status, response == null ? null : response.body());
                }
                finished.countDown();
              });
    }
    finished.await(drainTimeout.toMillis(), TimeUnit.MILLISECONDS);
    long end = System.nanoTime();
    int okCount = 0;
    int unfinished = 0;
    long[] all = new long[count];
    long[] okOnly = new long[count];
    synchronized (latency) {
      for (int i = 0; i < count; i++) {
        if (!done[i]) {
          unfinished++;
          all[i] = end - (start + (long) (i * interval)); // still waiting: at least this long
        } else {
          all[i] = latency[i];
          if (ok[i]) {
            okOnly[okCount++] = latency[i];
          }
        }
      }
    }
    if (unfinished > 0) {
      kinds.computeIfAbsent("unanswered", k -> new AtomicInteger()).addAndGet(unfinished);
    }
    long last = Math.max(lastDone.get(), start + 1);
    double window = (last - start) / 1e9;
    Map<String, Integer> errorKinds = new TreeMap<>();
    kinds.forEach((k, v) -> errorKinds.put(k, v.get()));
    return new Result(
        name,
        rate,
        count,
        okCount,
        count - okCount,
        errorKinds,
        Latencies.of(all),
        Latencies.of(java.util.Arrays.copyOf(okOnly, okCount)),
        okCount / window,
        maxLag / 1e6,
        maxInFlight.get(),
        window);
  }

  private static Throwable rootCause(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  private static String code(String body) {
    if (body == null) {
      return "";
    }
    int i = body.indexOf("\"code\":\"");
    if (i < 0) {
      return "";
    }
    int from = i + 8;
    int to = body.indexOf('"', from);
    return to < 0 ? "" : body.substring(from, to);
  }
}
