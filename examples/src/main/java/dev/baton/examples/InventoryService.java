package dev.baton.examples;

import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.api.trace.Span;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inventory service: {@code inventory.Inventory/Reserve} reserves an order's items. Two SKUs
 * go wrong, in the two ways a call can:
 *
 * <ul>
 *   <li>{@value #OUT_OF_STOCK} is never in stock: the call is refused with
 *       {@code FAILED_PRECONDITION}, the caller's problem (the server span is no error);
 *   <li>{@value #FAULTY} breaks the stock ledger: inventory fails with {@code INTERNAL}, its own
 *       error (the demo's {@code --fail}).
 * </ul>
 */
final class InventoryService {

  /** The SKU that is never in stock. */
  static final String OUT_OF_STOCK = "out-of-stock";
  /** The SKU whose stock record the ledger cannot read. */
  static final String FAULTY = "faulty";

  private static final Logger log = LoggerFactory.getLogger(Logs.PREFIX + CheckoutApp.INVENTORY);

  private final AtomicLong reservations = new AtomicLong();

  ServerServiceDefinition bindService() {
    return ServerServiceDefinition.builder("inventory.Inventory")
        .addMethod(Rpc.RESERVE, ServerCalls.asyncUnaryCall(this::reserve))
        .build();
  }

  /** Runs inside the SERVER span (Baton's server interceptor makes it current). */
  private void reserve(Order order, StreamObserver<String> reply) {
    try {
      ledgerLookup(order.sku());
    } catch (IllegalStateException e) {
      log.error("cannot reserve order {}: {}", order.id(), e.getMessage());
      // the application's own addition to Baton's span: the exception, with its stack trace
      Span.current().recordException(e);
      reply.onError(Status.INTERNAL.withDescription("stock ledger unavailable").asRuntimeException());
      return;
    }
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

  /** Stands for the stock database; fails for {@value #FAULTY}. */
  private static void ledgerLookup(String sku) {
    if (FAULTY.equals(sku)) {
      throw new IllegalStateException("stock ledger read failed for sku " + sku + ": checksum mismatch");
    }
  }
}
