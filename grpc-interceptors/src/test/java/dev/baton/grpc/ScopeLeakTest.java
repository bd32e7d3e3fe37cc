package dev.baton.grpc;

import static dev.baton.grpc.TestService.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.baton.testing.InMemoryTelemetry;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Fails if any scope outlives a call. Runs every call kind plus a throwing handler, a deadline
 * and a cancellation, then checks the test thread, every server and client executor thread, and a
 * fresh thread: each must be back at the root context. OpenTelemetry's strict context storage is
 * on for this module's tests (see the pom), so a scope closed out of order or on another thread
 * throws inside the call and fails it.
 */
class ScopeLeakTest {

  private Rig rig;

  @BeforeEach
  void setUp() {
    rig = new Rig();
  }

  @AfterEach
  void tearDown() throws Exception {
    rig.close();
  }

  @Test
  void strictContextStorageIsOn() {
    assertThat(ContextStorage.get().getClass().getName()).contains("Strict");
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void noScopeOutlivesACall(Transport transport) throws Exception {
    TestService service = new TestService();
    Server server = rig.serve(transport, service);
    ManagedChannel channel = rig.channel(transport, server);
    SimpleServiceGrpc.SimpleServiceBlockingStub blocking =
        SimpleServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);

    Span caller = rig.otel.openTelemetry().getTracer("test").spanBuilder("caller").startSpan();
    try (Scope ignored = caller.makeCurrent()) {
      blocking.unaryRpc(request("a"));
      assertThat(Span.current()).as("client span must not stay current").isSameAs(caller);
      Iterator<SimpleResponse> it = blocking.serverStreamingRpc(request("go"));
      while (it.hasNext()) {
        it.next();
      }
      assertThat(Span.current()).isSameAs(caller);
    } finally {
      caller.end();
    }
    assertRoot();

    Recorder<SimpleResponse> client = new Recorder<>();
    StreamObserver<SimpleRequest> requests =
        SimpleServiceGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
            .clientStreamingRpc(client);
    requests.onNext(request("x"));
    requests.onCompleted();
    assertThat(client.await()).isNull();
    Recorder<SimpleResponse> bidi = new Recorder<>();
    requests =
        SimpleServiceGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
            .bidiStreamingRpc(bidi);
    requests.onNext(request("y"));
    requests.onCompleted();
    assertThat(bidi.await()).isNull();
    // No context was current when these calls were made: their callbacks saw none either.
    assertThat(client.seen).allMatch(sc -> !sc.isValid());
    assertThat(bidi.seen).allMatch(sc -> !sc.isValid());
    assertRoot();

    assertThat(catchThrowable(() -> blocking.unaryRpc(request("throw")))).isNotNull();
    assertThat(catchThrowable(() -> blocking.unaryRpc(request("status:INTERNAL")))).isNotNull();
    assertThat(
            catchThrowable(
                () ->
                    SimpleServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(1, TimeUnit.SECONDS)
                        .unaryRpc(request("hang"))))
        .isNotNull();
    assertThat(service.cancelled.await(10, TimeUnit.SECONDS)).isTrue();

    // Every span ended: 1 caller + 2 per call for 7 calls.
    rig.otel.awaitExactly(15, Duration.ofSeconds(10));
    assertRoot();
  }

  /** The test thread, all executor threads, and a fresh thread sit at the root context. */
  private void assertRoot() throws Exception {
    assertThat(Context.current()).isSameAs(Context.root());
    assertAllThreadsRoot(rig.serverExecutor, 4);
    assertAllThreadsRoot(rig.clientExecutor, 2);
    Context[] fresh = new Context[1];
    Thread t = new Thread(() -> fresh[0] = Context.current());
    t.start();
    t.join(5_000);
    assertThat(fresh[0]).isSameAs(Context.root());
  }

  /** Runs one probe on each of the pool's {@code threads} threads at the same time. */
  private static void assertAllThreadsRoot(ExecutorService pool, int threads) throws Exception {
    CyclicBarrier barrier = new CyclicBarrier(threads);
    List<Future<Context>> probes = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      probes.add(
          pool.submit(
              () -> {
                barrier.await(5, TimeUnit.SECONDS);
                return Context.current();
              }));
    }
    for (Future<Context> f : probes) {
      assertThat(f.get(10, TimeUnit.SECONDS)).isSameAs(Context.root());
    }
  }
}
