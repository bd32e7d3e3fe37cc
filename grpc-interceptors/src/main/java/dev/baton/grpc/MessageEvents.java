package dev.baton.grpc;

import dev.baton.core.internal.SemConv;
import io.grpc.MethodDescriptor;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;

/**
 * The optional {@code rpc.message} span events: {@code rpc.message.type} {@code SENT} or
 * {@code RECEIVED} and {@code rpc.message.id}, counted from 1 separately per direction. Per the
 * conventions, unary calls get none. Off unless enabled on {@link GrpcTracing}.
 */
final class MessageEvents {

  static final String EVENT_NAME = SemConv.RPC_MESSAGE_EVENT;
  static final AttributeKey<String> RPC_MESSAGE_TYPE = SemConv.RPC_MESSAGE_TYPE;
  static final AttributeKey<Long> RPC_MESSAGE_ID = SemConv.RPC_MESSAGE_ID;
  static final String SENT = "SENT";
  static final String RECEIVED = "RECEIVED";

  private MessageEvents() {}

  /** Whether calls of {@code method} record message events under {@code enabled}. */
  static boolean wanted(boolean enabled, MethodDescriptor<?, ?> method) {
    return enabled && method.getType() != MethodDescriptor.MethodType.UNARY;
  }

  static void add(Span span, String type, long id) {
    span.addEvent(EVENT_NAME, Attributes.of(RPC_MESSAGE_TYPE, type, RPC_MESSAGE_ID, id));
  }
}
