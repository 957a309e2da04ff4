"""The conversation (chat-style filing mini-program): the step table (`steps`), the forms
of each kind (`forms`), status cards (`cards`), texts (`texts`) and the engine that runs
and stores conversations (`engine`). The protocol is docs/conversation.md."""
