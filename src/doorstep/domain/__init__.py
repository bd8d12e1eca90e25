"""The pure model of Doorstep: entities, value objects, state machines and events.

Standard library only; time is always passed in, never read.
"""
