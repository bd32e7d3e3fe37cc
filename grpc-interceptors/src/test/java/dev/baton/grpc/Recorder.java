package dev.baton.grpc;

import io.grpc.stub.StreamObserver;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A client-side response observer that records the messages and the span current in each. */
final class Recorder<T> implements StreamObserver<T> {

  final List<T> messages = new CopyOnWriteArrayList<>();
  final List<SpanContext> seen = new CopyOnWriteArrayList<>();
  final CompletableFuture<Throwable> done = new CompletableFuture<>();

  @Override
  public void onNext(T value) {
    seen.add(Span.current().getSpanContext());
    messages.add(value);
  }

  @Override
  public void onError(Throwable t) {
    seen.add(Span.current().getSpanContext());
    done.complete(t);
  }

  @Override
  public void onCompleted() {
    seen.add(Span.current().getSpanContext());
    done.complete(null);
  }

  /** Waits for the end of the call; returns its error, or {@code null} on success. */
  Throwable await() throws Exception {
    return done.get(10, TimeUnit.SECONDS);
  }
}
