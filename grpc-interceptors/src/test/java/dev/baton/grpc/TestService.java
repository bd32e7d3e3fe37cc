package dev.baton.grpc;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * {@code SimpleService} scripted by the request message: {@code ok} echoes, {@code throw} throws
 * from the handler, {@code status:CODE} fails with that code, {@code complete-then-throw} answers
 * and then throws, {@code close-handler-throws} answers and throws from its close handler
 * ({@code onComplete}), {@code hang} never answers (until cancelled), {@code nested} calls
 * {@link #downstream} first. Every handler callback records the span current while it runs.
 */
class TestService extends SimpleServiceGrpc.SimpleServiceImplBase {

  static final String SERVICE = "grpc.testing.SimpleService";

  /** The span context current in each handler callback, in order. */
  final List<SpanContext> seen = new CopyOnWriteArrayList<>();
  final CountDownLatch cancelled = new CountDownLatch(1);
  volatile SimpleServiceGrpc.SimpleServiceBlockingStub downstream;

  static SimpleRequest request(String message) {
    return SimpleRequest.newBuilder().setRequestMessage(message).build();
  }

  static SimpleResponse response(String message) {
    return SimpleResponse.newBuilder().setResponseMessage(message).build();
  }

  private void see() {
    seen.add(Span.current().getSpanContext());
  }

  @Override
  public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
    see();
    String m = request.getRequestMessage();
    if (m.equals("throw")) {
      throw new IllegalStateException("boom");
    }
    if (m.startsWith("status:")) {
      responses.onError(
          Status.fromCode(Status.Code.valueOf(m.substring(7)))
              .withDescription("scripted")
              .asRuntimeException());
      return;
    }
    if (m.equals("complete-then-throw")) {
      responses.onNext(response("done"));
      responses.onCompleted();
      throw new IllegalStateException("after the answer");
    }
    if (m.equals("close-handler-throws")) {
      ((ServerCallStreamObserver<SimpleResponse>) responses)
          .setOnCloseHandler(
              () -> {
                see();
                throw new IllegalStateException("in onComplete");
              });
      responses.onNext(response("done"));
      responses.onCompleted();
      return;
    }
    if (m.equals("hang")) {
      ((ServerCallStreamObserver<SimpleResponse>) responses)
          .setOnCancelHandler(
              () -> {
                see();
                cancelled.countDown();
              });
      return;
    }
    if (m.equals("nested")) {
      SimpleResponse r = downstream.unaryRpc(request("ok"));
      see();
      responses.onNext(response("nested:" + r.getResponseMessage()));
      responses.onCompleted();
      return;
    }
    responses.onNext(response("echo:" + m));
    responses.onCompleted();
  }

  @Override
  public StreamObserver<SimpleRequest> clientStreamingRpc(
      StreamObserver<SimpleResponse> responses) {
    see();
    return new StreamObserver<>() {
      int count;

      @Override
      public void onNext(SimpleRequest value) {
        see();
        count++;
      }

      @Override
      public void onError(Throwable t) {
        see();
      }

      @Override
      public void onCompleted() {
        see();
        responses.onNext(response("count:" + count));
        responses.onCompleted();
      }
    };
  }

  @Override
  public void serverStreamingRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
    see();
    if (request.getRequestMessage().equals("hang")) {
      ServerCallStreamObserver<SimpleResponse> r =
          (ServerCallStreamObserver<SimpleResponse>) responses;
      r.setOnCancelHandler(
          () -> {
            see();
            cancelled.countDown();
          });
      r.onNext(response("first"));
      return;
    }
    for (int i = 1; i <= 3; i++) {
      responses.onNext(response("part:" + i));
    }
    responses.onCompleted();
  }

  @Override
  public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> responses) {
    see();
    return new StreamObserver<>() {
      @Override
      public void onNext(SimpleRequest value) {
        see();
        responses.onNext(response("echo:" + value.getRequestMessage()));
      }

      @Override
      public void onError(Throwable t) {
        see();
      }

      @Override
      public void onCompleted() {
        see();
        responses.onCompleted();
      }
    };
  }
}
