"""Package data: ``userdict.txt``, the jieba user dictionary (policy terms and region names)."""
