/**
 * Fuzz inputs for W3C trace context and baggage headers: the generators Baton's own fuzz
 * properties use (core and every transport), the entropy they draw from (Jazzer's fuzzed data or
 * a seeded random source) and the sized random runs. Usable against any carrier of your own.
 * Needs {@code com.code-intelligence:jazzer-api} on the test class path for {@link
 * dev.baton.testing.fuzz.Entropy#of}.
 */
package dev.baton.testing.fuzz;
