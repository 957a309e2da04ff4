"""The starting world of a replay run: the sandbox (seed, preset, clock start, settings,
province overrides), then its cloud resources, domains, filings on record and fault rules."""

from mock_miniprogram.replay import expect as E
from mock_miniprogram.replay.outcome import StepError, StepFailure
from mock_miniprogram.sdk import IcpsimError


class WorldSetup:
    """Part of a run (runner._Run): builds the scenario's world before the steps."""

    def _world(self):
        world = self.scenario.world
        failure = self._new_sandbox(world)
        if failure is not None:
            return failure
        for label, method, path, body, token, alias in _plan(world):
            self._exchanges = []
            try:
                status, data = self.request(method, path, self.resolve(body), token=token)
            except StepError as exc:
                return StepFailure(-1, label, error=str(exc))
            self.transcript.append({"world": label, "exchanges": self._exchanges})
            if status >= 400:
                return StepFailure(-1, label, error=f"the simulator refused it: {status} {E.show(data)}")
            if alias:
                self.vars[alias] = data
        self._exchanges = None
        return None

    def _new_sandbox(self, world):
        """The sandbox itself; a StepFailure when the simulator refuses it."""
        settings = dict(world.get("settings") or {})
        if world.get("provinces"):
            settings["province_overrides"] = world["provinces"]
        options = {"settings": settings}
        if world.get("clock_start"):
            options["clock_start"] = str(world["clock_start"])
        self._exchanges = []
        try:
            self.sb = self.control.new_sandbox(
                seed=self.scenario.seed,
                preset=world.get("preset", "eligible"),
                name=f"replay: {self.scenario.name}"[:100],
                **options,
            )
        except IcpsimError as exc:
            return StepFailure(-1, "create the sandbox", error=f"{exc.status} {exc.code}: {E.show(exc.body)}")
        self.transcript.append(
            {"world": "sandbox", "seed": self.scenario.seed, "preset": world.get("preset", "eligible"), **options}
        )
        return None


def _plan(world):
    """(label, method, path, body, token, alias) of each call that builds the rest of the world, in order."""
    plan = []
    for item in world.get("cloud") or []:
        item = dict(item)
        alias = item.pop("as", None)
        resource = item.pop("resource")
        plan.append((f"cloud {resource}", "POST", f"/cloud/{resource}", item, "user", alias))
    for item in world.get("domains") or []:
        plan.append((f"domain {item.get('name')}", "POST", "/domains", item, "user", None))
    for item in world.get("registry") or []:
        plan.append((f"registry {item.get('name')}", "POST", "/registry/entities", item, "control", None))
    for item in world.get("faults") or []:
        plan.append((f"fault {item.get('effect')}", "POST", "/faults", item, "control", None))
    return plan
