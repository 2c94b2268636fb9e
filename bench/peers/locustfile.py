# Locust: the same request every tool sends, as fast as each user can (no wait time). Method, path, body
# and token come from the environment so that one file serves every benchmark.
import os

from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser

METHOD = os.environ.get("BENCH_METHOD", "GET")
PATH = os.environ.get("BENCH_PATH", "/")
BODY = os.environ.get("BENCH_BODY") or None
HEADERS = {"Content-Type": "application/json"} if BODY else {}
if os.environ.get("BENCH_TOKEN"):
    HEADERS["Authorization"] = "Bearer " + os.environ["BENCH_TOKEN"]


class BenchUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def send(self):
        self.client.request(METHOD, PATH, data=BODY, headers=HEADERS)
