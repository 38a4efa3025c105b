package dev.agentledger.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Closed-loop Cycles load: each client reserves an estimate and commits a smaller actual, as an
 * agent does around a model call, one pair after another for a fixed time. Clients spread over
 * agents of their own, so budgets never run out and every command is a full decision.
 */
final class CyclesLoad {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** What a run achieved, latencies in nanoseconds. */
  record Result(
      int clients,
      double seconds,
      int pairs,
      Map<String, Integer> errors,
      List<Long> reserve,
      List<Long> commit,
      List<Long> pair) {
    double pairsPerSecond() {
      return pairs / seconds;
    }
  }

  /** An agent the load reserves for, named with its tenant's operator key. */
  record Subject(String tenant, String apiKey, String agent) {}

  private CyclesLoad() {}

  static Result run(
      HttpClient http, String baseUrl, List<Subject> subjects, int clients, int seconds)
      throws Exception {
    Map<String, Integer> errors = new ConcurrentHashMap<>();
    List<Long> reserve = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Long> commit = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Long> pair = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicInteger pairs = new AtomicInteger();
    long start = System.nanoTime();
    long end = start + Duration.ofSeconds(seconds).toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        Subject subject = subjects.get(c % subjects.size());
        running.add(
            pool.submit(
                () -> {
                  while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> r =
                        send(
                            http,
                            baseUrl + "/v1/reservations",
                            subject.apiKey(),
                            reserveBody(subject));
                    long t1 = System.nanoTime();
                    if (r.statusCode() != 200) {
                      errors.merge("reserve " + r.statusCode(), 1, Integer::sum);
                      continue;
                    }
                    String id = JSON.readTree(r.body()).path("reservation_id").asText();
                    HttpResponse<String> c2 =
                        send(
                            http,
                            baseUrl + "/v1/reservations/" + id + "/commit",
                            subject.apiKey(),
                            commitBody());
                    long t2 = System.nanoTime();
                    if (c2.statusCode() != 200) {
                      errors.merge("commit " + c2.statusCode(), 1, Integer::sum);
                      continue;
                    }
                    reserve.add(t1 - t0);
                    commit.add(t2 - t1);
                    pair.add(t2 - t0);
                    pairs.incrementAndGet();
                  }
                  return null;
                }));
      }
      for (Future<?> f : running) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    double took = (System.nanoTime() - start) / 1e9;
    return new Result(
        clients,
        took,
        pairs.get(),
        Map.copyOf(errors),
        List.copyOf(reserve),
        List.copyOf(commit),
        List.copyOf(pair));
  }

  private static HttpResponse<String> send(HttpClient http, String url, String apiKey, String body)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(TIMEOUT)
            .header("X-Cycles-API-Key", apiKey)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String reserveBody(Subject subject) throws Exception {
    return JSON.writeValueAsString(
        Map.of(
            "idempotency_key", UUID.randomUUID().toString(),
            "subject", Map.of("tenant", subject.tenant(), "agent", subject.agent()),
            "action", Map.of("kind", "llm.completion", "name", "bench"),
            "estimate", Map.of("unit", "USD_MICROCENTS", "amount", 1_000_000)));
  }

  private static String commitBody() throws Exception {
    return JSON.writeValueAsString(
        Map.of(
            "idempotency_key",
            UUID.randomUUID().toString(),
            "actual",
            Map.of("unit", "USD_MICROCENTS", "amount", 600_000)));
  }
}
