package dev.mergenet.exporters.builder;

/** Attribute value kinds the catalogue knows. */
public enum AttrType {
    INT,
    INTS,
    FLOAT,
    FLOATS,
    STRING,
    TENSOR
}
