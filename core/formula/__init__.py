"""The Function lab's maths: parse a typed formula, derive it step by step, decompose it into its
chain of compositions, build its computation graph, and compile it to numpy. Imports sympy, so
`import core` loads this package lazily."""
