package dev.baton.examples;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The customer's side of {@code checkout.Checkout/PlaceOrder}. The customer stands for a caller
 * outside the traced system: its channel carries no tracing, so each order's trace starts in the
 * checkout service. Obtained from {@link CheckoutApp#client()}.
 *
 * <p>Thread-safe.
 *
 * @since 0.1.0
 */
public final class CheckoutClient {

  private static final long DEADLINE_SECONDS = 20;

  private final Channel channel;

  CheckoutClient(Channel channel) {
    this.channel = channel;
  }

  /**
   * Places {@code order} and waits for the checkout service's answer (at most 20 s).
   *
   * @param order the order
   * @return the checkout service's reply, {@code accepted <order id>}
   * @throws StatusRuntimeException when checkout refuses the order: {@code FAILED_PRECONDITION}
   *     when an item is out of stock, {@code UNAVAILABLE} when inventory fails
   */
  public String placeOrder(Order order) {
    Objects.requireNonNull(order, "order == null");
    return ClientCalls.blockingUnaryCall(
        channel,
        Rpc.PLACE_ORDER,
        CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS),
        order);
  }
}
