/** File output that a reader never sees half-written (every module's outputs go through it). */
package dev.mergenet.core.io;
