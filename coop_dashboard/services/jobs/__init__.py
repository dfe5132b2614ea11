"""The job board (issue 15): the board, a job's page, providers, models and every write.

`inputs` checks what a browser sent (anything), `chain_reads` reads the chain's
word on a job, `writes` builds each action's transaction after refusing what the
contract would refuse with a sentence a person can act on.
"""
