"""`legaltv demo`: the first-run experience — sample programmes, a looping grid, the channel playing."""
