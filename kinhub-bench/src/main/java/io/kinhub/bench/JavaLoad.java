package io.kinhub.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * The fallback load driver when wrk is missing: a fixed number of virtual-thread workers, each
 * sending one GET after the other on a shared java.net.http client (HTTP/1.1 keep-alive) until the
 * time is up. It runs in the same JVM as the nodes, so it takes CPU from them; compare ratios, not
 * absolute numbers.
 */
final class JavaLoad implements LoadDriver {
  private final int workers;
  private final HttpClient client;

  JavaLoad(int workers) {
    this.workers = workers;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();
  }

  @Override
  public String describe() {
    return "Java load driver (java.net.http.HttpClient, HTTP/1.1 keep-alive, "
        + workers
        + " concurrent virtual-thread workers, in the nodes' JVM)";
  }

  @Override
  public Result run(String url, String token, int seconds) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpRequest request = b.build();
    long started = System.nanoTime();
    long deadline = started + Duration.ofSeconds(seconds).toNanos();
    List<Worker> all = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      Worker w = new Worker(request, deadline);
      all.add(w);
      threads.add(Thread.ofVirtual().name("bench-load-" + i).start(w));
    }
    for (Thread t : threads) {
      try {
        if (!t.join(Duration.ofSeconds(seconds + 30L))) {
          throw new IllegalStateException(
              "a load worker did not finish within " + (seconds + 30) + " s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    double elapsed = (System.nanoTime() - started) / 1e9;
    Histogram h = new Histogram();
    long ok = 0;
    long non2xx = 0;
    long errors = 0;
    for (Worker w : all) {
      h.merge(w.latencies);
      ok += w.ok;
      non2xx += w.non2xx;
      errors += w.errors;
    }
    long requests = ok + non2xx;
    return new Result(
        requests / elapsed, requests, non2xx, errors, h.quantileMs(0.5), h.quantileMs(0.99));
  }

  private final class Worker implements Runnable {
    private final HttpRequest request;
    private final long deadline;
    private final Histogram latencies = new Histogram();
    private long ok;
    private long non2xx;
    private long errors;

    Worker(HttpRequest request, long deadline) {
      this.request = request;
      this.deadline = deadline;
    }

    @Override
    public void run() {
      while (System.nanoTime() - deadline < 0) {
        long t0 = System.nanoTime();
        try {
          int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
          latencies.recordNanos(System.nanoTime() - t0);
          if (status >= 200 && status < 400) {
            ok++;
          } else {
            non2xx++;
          }
        } catch (IOException e) {
          errors++;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  @Override
  public void close() {
    client.shutdownNow();
  }
}
