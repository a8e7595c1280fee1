"""The model boundary. `app.llm.gateway` is the only module that imports litellm."""
