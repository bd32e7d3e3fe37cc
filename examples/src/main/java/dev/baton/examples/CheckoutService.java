package dev.baton.examples;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkout service: {@code checkout.Checkout/PlaceOrder} reserves the items with the
 * inventory service over gRPC, then puts the order on a Kafka topic for the fulfilment worker.
 * If inventory refuses the order, nothing is sent and the call fails with inventory's status code;
 * if inventory fails, with {@code UNAVAILABLE}: the customer may try again later.
 */
final class CheckoutService {

  private static final Logger log = LoggerFactory.getLogger(Logs.PREFIX + CheckoutApp.CHECKOUT);
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Channel inventory;
  private final Producer<String, String> orders;
  private final String ordersTopic;

  /**
   * @param inventory a channel to the inventory service, with Baton's client interceptor
   * @param orders a producer with Baton's producer interceptor
   * @param ordersTopic where accepted orders go
   */
  CheckoutService(Channel inventory, Producer<String, String> orders, String ordersTopic) {
    this.inventory = inventory;
    this.orders = orders;
    this.ordersTopic = ordersTopic;
  }

  ServerServiceDefinition bindService() {
    return ServerServiceDefinition.builder("checkout.Checkout")
        .addMethod(Rpc.PLACE_ORDER, ServerCalls.asyncUnaryCall(this::placeOrder))
        .build();
  }

  /**
   * Runs inside the SERVER span: the inventory call's CLIENT span and the Kafka PRODUCER span
   * both become its children, because both start from the current context.
   */
  private void placeOrder(Order order, StreamObserver<String> reply) {
    log.info("placing order {}", order);
    String reservation;
    try {
      reservation = ClientCalls.blockingUnaryCall(
          inventory,
          Rpc.RESERVE,
          CallOptions.DEFAULT.withDeadlineAfter(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS),
          order);
    } catch (StatusRuntimeException e) {
      Status status = e.getStatus();
      log.error("order {} failed: inventory answered {} ({})",
          order.id(), status.getCode(), status.getDescription());
      Status answer = inventoryFailed(status.getCode())
          ? Status.UNAVAILABLE.withDescription("inventory unavailable, try again later")
          : Status.fromCode(status.getCode()).withDescription("inventory: " + status.getDescription());
      reply.onError(answer.asRuntimeException());
      return;
    }
    try {
      // wait for the broker: the order is accepted only once Kafka has it
      orders.send(new ProducerRecord<>(ordersTopic, order.id(), order.toText()))
          .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      log.error("order {} failed: not sent to {}", order.id(), ordersTopic, e);
      reply.onError(Status.UNAVAILABLE.withDescription("orders topic unavailable").asRuntimeException());
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reply.onError(Status.CANCELLED.withDescription("interrupted").asRuntimeException());
      return;
    }
    log.info("order {} accepted, reservation {}, sent to {}", order.id(), reservation, ordersTopic);
    reply.onNext("accepted " + order.id());
    reply.onCompleted();
  }

  /** Whether inventory itself failed, rather than refused the order. */
  private static boolean inventoryFailed(Status.Code code) {
    return switch (code) {
      case UNKNOWN, INTERNAL, UNAVAILABLE, DEADLINE_EXCEEDED, DATA_LOSS, UNIMPLEMENTED -> true;
      default -> false;
    };
  }
}
