"""One module per mechanism of the model (docs/ODD.md, section 7); each a plain function over the people arrays."""
