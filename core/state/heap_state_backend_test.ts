import { stateBackendContract } from "../../tests/_suites/state_backend_contract.ts";
import { HeapStateBackend } from "./heap_state_backend.ts";

stateBackendContract("HeapStateBackend", (options) => new HeapStateBackend(options));
