/** NDArray lifetime helpers: aliasing long-lived arrays into a step's scope, in-place overwrites, gradient zeroing. */
package dev.mergenet.core.ndarray;
