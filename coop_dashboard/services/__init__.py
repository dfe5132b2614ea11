"""Domain logic over db + chain + content. No reflex imports here."""
