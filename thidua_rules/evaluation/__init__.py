"""One unit's evaluation: the checked model to a Result, traced (closures) or untraced
(generated code), both on one set of scoring semantics."""
