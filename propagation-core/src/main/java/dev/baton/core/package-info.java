/**
 * What applications touch of Baton's core: the settings every transport shares
 * ({@link dev.baton.core.BatonTracing}), the {@link dev.baton.core.InboundPolicy}, and the
 * {@link dev.baton.core.ProcessingScope} every transport's {@code startProcessing} returns. The
 * machinery the transports share is in {@code dev.baton.core.internal}, without a compatibility
 * promise.
 */
package dev.baton.core;
