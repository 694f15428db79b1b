/**
 * The exceptions MergeNet-J reports to a user, one type per kind, all derived from {@link
 * dev.mergenet.core.errors.MergeNetException}; the CLI prints each as one {@code error:} line and exits 1.
 *
 * <p>A package of their own rather than {@code dev.mergenet.core} itself: every module imports them, and a
 * separate package keeps them apart from the helpers beside them ({@code io}, {@code ndarray}, {@code graph},
 * {@code engine}), so an import line says which one a class uses.
 */
package dev.mergenet.core.errors;
