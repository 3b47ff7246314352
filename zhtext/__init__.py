"""Knowledge of Chinese text that every stage uses alike: crawler, analysis, search and alert matching.

- ``regions``       GB/T 2260 administrative regions: lookup by name or code, the hierarchy
- ``region_names``  region names inside running text (a title's or signature's region) and the
                    province / city abbreviations of 文号 prefixes
- ``normalize``     folding text into the forms it is compared in (width, script, whitespace)
- ``docnumbers``    文号: finding them and writing them one canonical way (``doc_number_key``)
- ``titles``        ``title_key``: the key a cited title and the stored document's title meet on
- ``tokenize``      jieba with the policy and place-name user dictionary
- ``decoding``      bytes → text (BOMs, UTF-8, declared/meta/header charsets, GB18030)

It depends only on ``core`` (its errors).
"""
