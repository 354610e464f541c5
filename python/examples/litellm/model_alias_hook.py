"""A LiteLLM proxy hook that resolves each virtual key's model aliases with model_alias
before LiteLLM routes the request.

A key's aliases are rows in the JSON list form under `model_aliases` in the key's metadata:

    curl -X POST $PROXY/key/generate -H "Authorization: Bearer $MASTER_KEY" \\
      -d '{"metadata": {"model_aliases": [
            {"name": "fast", "target": "deepseek/deepseek-chat"},
            {"name": "claude-opus", "target": "anthropic/claude-opus-4-8", "match": "prefix"}]}}'

The request's model is resolved (exact, else the longest prefix, else unchanged), the key's
model permissions are checked again on the model that will run, so an alias cannot reach a
model the key may not use, and the resolution is kept in the request's metadata
(`model_alias`) for logging and spend. LiteLLM checks the name the client sent against the
key's `models` before any hook runs, so a key restricted to some models needs its alias names
listed there too; the hook's own check then keeps the alias from reaching anything else.
Enable it in the proxy's config:

    litellm_settings:
      callbacks: model_alias_hook.proxy_handler_instance
"""

import json
from functools import lru_cache

from fastapi import HTTPException
from litellm.integrations.custom_logger import CustomLogger
from litellm.proxy.auth.auth_checks import can_key_call_model

from model_alias import AliasSet, SetError

METADATA_FIELD = "model_aliases"


@lru_cache(maxsize=4096)
def compiled(rows_json):
    """The set of a key's rows, built once per distinct rows (keys that share rows share it)."""
    return AliasSet.from_json(rows_json)


class ModelAliasHook(CustomLogger):
    async def async_pre_call_hook(self, user_api_key_dict, cache, data, call_type):
        model = data.get("model")
        rows = (user_api_key_dict.metadata or {}).get(METADATA_FIELD)
        if not isinstance(model, str) or rows is None:
            return data
        try:
            aliases = compiled(json.dumps(rows, sort_keys=True))
        except SetError as e:
            problems = "; ".join(p["message"] for p in e.problems)
            raise HTTPException(
                status_code=500,
                detail=f"this key's metadata.{METADATA_FIELD} are not valid aliases, so nothing was sent: "
                f"{problems}. The key's owner must correct them.",
            ) from None
        resolution = aliases.resolve(model)
        if resolution.rule == "passthrough":
            return data
        await self.check_access(resolution.model, user_api_key_dict)
        data["model"] = resolution.model
        data.setdefault("metadata", {})["model_alias"] = {
            "requested": resolution.requested,
            "alias": resolution.alias,
            "rule": resolution.rule,
        }
        return data

    @staticmethod
    async def check_access(model, user_api_key_dict):
        """LiteLLM checked the key's models against the name the client sent; the model that
        runs must pass the same check."""
        from litellm.proxy import proxy_server

        await can_key_call_model(
            model=model,
            llm_model_list=proxy_server.llm_model_list,
            valid_token=user_api_key_dict,
            llm_router=proxy_server.llm_router,
        )


proxy_handler_instance = ModelAliasHook()
