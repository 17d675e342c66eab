"""One module per mechanism of MODEL.md; each a plain function over the people arrays."""
