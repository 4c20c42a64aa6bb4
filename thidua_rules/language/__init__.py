"""The language: text ⇄ nodes. The grammar's parser, the syntax nodes and their children, the
transformer from parse trees, the printer back to canonical text, and the built-ins.

The only layer that imports lark.
"""
