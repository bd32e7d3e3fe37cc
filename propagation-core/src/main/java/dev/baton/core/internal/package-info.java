/**
 * The machinery Baton's transport modules share: the carrier contract and the propagation built on
 * it, span helpers and the span lifecycle pieces, the semantic-convention keys, the settings
 * registry and its reader, fault reporting, and the W3C implementations.
 *
 * <p><b>Internal: no compatibility promise.</b> These types are public only because the
 * transports live in other packages; any of them may change or disappear in any release.
 * Application code uses {@code dev.baton.core} and the transports' entry types instead.
 */
package dev.baton.core.internal;
