"""sockspec.impl: the reference implementation of the socketserver interface."""
