package dev.baton.examples;

import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inventory service: {@code inventory.Inventory/Reserve} reserves an order's items. Every
 * SKU is in stock except {@value #OUT_OF_STOCK}, which fails the call with
 * {@code FAILED_PRECONDITION}: the demo's failure story.
 */
final class InventoryService {

  /** The SKU that is never in stock. */
  static final String OUT_OF_STOCK = "out-of-stock";

  private static final Logger log = LoggerFactory.getLogger(InventoryService.class);

  private final AtomicLong reservations = new AtomicLong();

  ServerServiceDefinition bindService() {
    return ServerServiceDefinition.builder("inventory.Inventory")
        .addMethod(Rpc.RESERVE, ServerCalls.asyncUnaryCall(this::reserve))
        .build();
  }

  /** Runs inside the SERVER span (Baton's server interceptor makes it current). */
  private void reserve(Order order, StreamObserver<String> reply) {
    if (OUT_OF_STOCK.equals(order.sku())) {
      log.error("cannot reserve order {}: {} is out of stock", order.id(), order.sku());
      reply.onError(Status.FAILED_PRECONDITION
          .withDescription(order.sku() + " is out of stock")
          .asRuntimeException());
      return;
    }
    String reservation = "r-" + reservations.incrementAndGet();
    log.info("reserved {} for order {}", reservation, order);
    reply.onNext(reservation);
    reply.onCompleted();
  }
}
