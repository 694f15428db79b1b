package dev.mergenet.transfer.training;

/** What one training step of a model measured on its batch: mean loss, correct predictions, batch size. */
public record StepResult(double loss, long correct, int count) {}
