"""The Function lab: type a nested function and see it split, derived step by step, plotted with its
tangent, and evaluated forward and backward through its computation graph."""
