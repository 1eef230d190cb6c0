"""sockspec.conformance: verify any socketserver implementation clause by clause."""
