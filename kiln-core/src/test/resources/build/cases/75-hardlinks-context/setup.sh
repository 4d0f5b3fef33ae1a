echo same > context/one && ln context/one context/two
