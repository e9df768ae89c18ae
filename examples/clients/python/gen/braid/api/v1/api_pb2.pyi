import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Code(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CODE_UNSPECIFIED: _ClassVar[Code]
    CANCELLED: _ClassVar[Code]
    DEADLINE_EXCEEDED: _ClassVar[Code]
    UNAVAILABLE: _ClassVar[Code]
    RESOURCE_EXHAUSTED: _ClassVar[Code]
    INVALID_ARGUMENT: _ClassVar[Code]
    APPLICATION: _ClassVar[Code]
    INTERNAL: _ClassVar[Code]

class RunState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RUN_STATE_UNSPECIFIED: _ClassVar[RunState]
    RUN_STATE_RUNNING: _ClassVar[RunState]
    RUN_STATE_SUCCEEDED: _ClassVar[RunState]
    RUN_STATE_FAILED: _ClassVar[RunState]
    RUN_STATE_CANCELLED: _ClassVar[RunState]

class EventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EVENT_TYPE_UNSPECIFIED: _ClassVar[EventType]
    EVENT_TYPE_RUN_STARTED: _ClassVar[EventType]
    EVENT_TYPE_STEP_STARTED: _ClassVar[EventType]
    EVENT_TYPE_ATTEMPT_STARTED: _ClassVar[EventType]
    EVENT_TYPE_ATTEMPT_FINISHED: _ClassVar[EventType]
    EVENT_TYPE_RETRY_SCHEDULED: _ClassVar[EventType]
    EVENT_TYPE_STEP_FINISHED: _ClassVar[EventType]
    EVENT_TYPE_RUN_FINISHED: _ClassVar[EventType]

class EventStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EVENT_STATUS_UNSPECIFIED: _ClassVar[EventStatus]
    EVENT_STATUS_OK: _ClassVar[EventStatus]
    EVENT_STATUS_FAILED: _ClassVar[EventStatus]
    EVENT_STATUS_CANCELLED: _ClassVar[EventStatus]
    EVENT_STATUS_SKIPPED: _ClassVar[EventStatus]

class Verdict(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VERDICT_UNSPECIFIED: _ClassVar[Verdict]
    VERDICT_OK: _ClassVar[Verdict]
    VERDICT_RUNTIME_ERROR: _ClassVar[Verdict]
    VERDICT_TIME_LIMIT: _ClassVar[Verdict]
    VERDICT_WALL_TIME_LIMIT: _ClassVar[Verdict]
    VERDICT_MEMORY_LIMIT: _ClassVar[Verdict]
    VERDICT_OUTPUT_LIMIT: _ClassVar[Verdict]
    VERDICT_KILLED: _ClassVar[Verdict]
    VERDICT_INTERNAL: _ClassVar[Verdict]
CODE_UNSPECIFIED: Code
CANCELLED: Code
DEADLINE_EXCEEDED: Code
UNAVAILABLE: Code
RESOURCE_EXHAUSTED: Code
INVALID_ARGUMENT: Code
APPLICATION: Code
INTERNAL: Code
RUN_STATE_UNSPECIFIED: RunState
RUN_STATE_RUNNING: RunState
RUN_STATE_SUCCEEDED: RunState
RUN_STATE_FAILED: RunState
RUN_STATE_CANCELLED: RunState
EVENT_TYPE_UNSPECIFIED: EventType
EVENT_TYPE_RUN_STARTED: EventType
EVENT_TYPE_STEP_STARTED: EventType
EVENT_TYPE_ATTEMPT_STARTED: EventType
EVENT_TYPE_ATTEMPT_FINISHED: EventType
EVENT_TYPE_RETRY_SCHEDULED: EventType
EVENT_TYPE_STEP_FINISHED: EventType
EVENT_TYPE_RUN_FINISHED: EventType
EVENT_STATUS_UNSPECIFIED: EventStatus
EVENT_STATUS_OK: EventStatus
EVENT_STATUS_FAILED: EventStatus
EVENT_STATUS_CANCELLED: EventStatus
EVENT_STATUS_SKIPPED: EventStatus
VERDICT_UNSPECIFIED: Verdict
VERDICT_OK: Verdict
VERDICT_RUNTIME_ERROR: Verdict
VERDICT_TIME_LIMIT: Verdict
VERDICT_WALL_TIME_LIMIT: Verdict
VERDICT_MEMORY_LIMIT: Verdict
VERDICT_OUTPUT_LIMIT: Verdict
VERDICT_KILLED: Verdict
VERDICT_INTERNAL: Verdict

class Failure(_message.Message):
    __slots__ = ("code", "type", "message", "language", "stack", "cause", "retryable", "details_json", "reason")
    CODE_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    STACK_FIELD_NUMBER: _ClassVar[int]
    CAUSE_FIELD_NUMBER: _ClassVar[int]
    RETRYABLE_FIELD_NUMBER: _ClassVar[int]
    DETAILS_JSON_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    code: Code
    type: str
    message: str
    language: str
    stack: str
    cause: Failure
    retryable: bool
    details_json: str
    reason: str
    def __init__(self, code: _Optional[_Union[Code, str]] = ..., type: _Optional[str] = ..., message: _Optional[str] = ..., language: _Optional[str] = ..., stack: _Optional[str] = ..., cause: _Optional[_Union[Failure, _Mapping]] = ..., retryable: bool = ..., details_json: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RunWorkflowRequest(_message.Message):
    __slots__ = ("name", "definition", "input_json", "timeout")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DEFINITION_FIELD_NUMBER: _ClassVar[int]
    INPUT_JSON_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    name: str
    definition: str
    input_json: str
    timeout: _duration_pb2.Duration
    def __init__(self, name: _Optional[str] = ..., definition: _Optional[str] = ..., input_json: _Optional[str] = ..., timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class StartWorkflowRequest(_message.Message):
    __slots__ = ("name", "definition", "input_json", "timeout")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DEFINITION_FIELD_NUMBER: _ClassVar[int]
    INPUT_JSON_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    name: str
    definition: str
    input_json: str
    timeout: _duration_pb2.Duration
    def __init__(self, name: _Optional[str] = ..., definition: _Optional[str] = ..., input_json: _Optional[str] = ..., timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class GetRunRequest(_message.Message):
    __slots__ = ("run_id",)
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    def __init__(self, run_id: _Optional[str] = ...) -> None: ...

class CancelRunRequest(_message.Message):
    __slots__ = ("run_id",)
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    def __init__(self, run_id: _Optional[str] = ...) -> None: ...

class SignalRunRequest(_message.Message):
    __slots__ = ("run_id", "name", "payload_json")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_JSON_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    name: str
    payload_json: str
    def __init__(self, run_id: _Optional[str] = ..., name: _Optional[str] = ..., payload_json: _Optional[str] = ...) -> None: ...

class WatchRunRequest(_message.Message):
    __slots__ = ("run_id", "from_seq")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_SEQ_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    from_seq: int
    def __init__(self, run_id: _Optional[str] = ..., from_seq: _Optional[int] = ...) -> None: ...

class RunInfo(_message.Message):
    __slots__ = ("run_id", "workflow", "state", "created_at", "finished_at", "result_json", "failure", "failed_step", "next_seq", "cancel_requested")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    WORKFLOW_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    RESULT_JSON_FIELD_NUMBER: _ClassVar[int]
    FAILURE_FIELD_NUMBER: _ClassVar[int]
    FAILED_STEP_FIELD_NUMBER: _ClassVar[int]
    NEXT_SEQ_FIELD_NUMBER: _ClassVar[int]
    CANCEL_REQUESTED_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    workflow: str
    state: RunState
    created_at: _timestamp_pb2.Timestamp
    finished_at: _timestamp_pb2.Timestamp
    result_json: str
    failure: Failure
    failed_step: str
    next_seq: int
    cancel_requested: bool
    def __init__(self, run_id: _Optional[str] = ..., workflow: _Optional[str] = ..., state: _Optional[_Union[RunState, str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., result_json: _Optional[str] = ..., failure: _Optional[_Union[Failure, _Mapping]] = ..., failed_step: _Optional[str] = ..., next_seq: _Optional[int] = ..., cancel_requested: bool = ...) -> None: ...

class RunEvent(_message.Message):
    __slots__ = ("run_id", "seq", "type", "t_ms", "step", "kind", "function", "language", "attempt", "status", "error", "wait_ms", "result_json")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    T_MS_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    WAIT_MS_FIELD_NUMBER: _ClassVar[int]
    RESULT_JSON_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    seq: int
    type: EventType
    t_ms: float
    step: str
    kind: str
    function: str
    language: str
    attempt: int
    status: EventStatus
    error: Failure
    wait_ms: float
    result_json: str
    def __init__(self, run_id: _Optional[str] = ..., seq: _Optional[int] = ..., type: _Optional[_Union[EventType, str]] = ..., t_ms: _Optional[float] = ..., step: _Optional[str] = ..., kind: _Optional[str] = ..., function: _Optional[str] = ..., language: _Optional[str] = ..., attempt: _Optional[int] = ..., status: _Optional[_Union[EventStatus, str]] = ..., error: _Optional[_Union[Failure, _Mapping]] = ..., wait_ms: _Optional[float] = ..., result_json: _Optional[str] = ...) -> None: ...

class InvokeRequest(_message.Message):
    __slots__ = ("function", "args_json", "kwargs_json", "timeout", "grace", "retry")
    FUNCTION_FIELD_NUMBER: _ClassVar[int]
    ARGS_JSON_FIELD_NUMBER: _ClassVar[int]
    KWARGS_JSON_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    GRACE_FIELD_NUMBER: _ClassVar[int]
    RETRY_FIELD_NUMBER: _ClassVar[int]
    function: str
    args_json: str
    kwargs_json: str
    timeout: _duration_pb2.Duration
    grace: _duration_pb2.Duration
    retry: RetryPolicy
    def __init__(self, function: _Optional[str] = ..., args_json: _Optional[str] = ..., kwargs_json: _Optional[str] = ..., timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., grace: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., retry: _Optional[_Union[RetryPolicy, _Mapping]] = ...) -> None: ...

class RetryPolicy(_message.Message):
    __slots__ = ("max_attempts", "initial_interval", "backoff", "max_interval", "no_jitter", "retry_on", "non_retryable", "attempt_timeout")
    MAX_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    INITIAL_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    BACKOFF_FIELD_NUMBER: _ClassVar[int]
    MAX_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    NO_JITTER_FIELD_NUMBER: _ClassVar[int]
    RETRY_ON_FIELD_NUMBER: _ClassVar[int]
    NON_RETRYABLE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    max_attempts: int
    initial_interval: _duration_pb2.Duration
    backoff: float
    max_interval: _duration_pb2.Duration
    no_jitter: bool
    retry_on: _containers.RepeatedScalarFieldContainer[str]
    non_retryable: _containers.RepeatedScalarFieldContainer[str]
    attempt_timeout: _duration_pb2.Duration
    def __init__(self, max_attempts: _Optional[int] = ..., initial_interval: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., backoff: _Optional[float] = ..., max_interval: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., no_jitter: bool = ..., retry_on: _Optional[_Iterable[str]] = ..., non_retryable: _Optional[_Iterable[str]] = ..., attempt_timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class InvokeResponse(_message.Message):
    __slots__ = ("value_json", "failure")
    VALUE_JSON_FIELD_NUMBER: _ClassVar[int]
    FAILURE_FIELD_NUMBER: _ClassVar[int]
    value_json: str
    failure: Failure
    def __init__(self, value_json: _Optional[str] = ..., failure: _Optional[_Union[Failure, _Mapping]] = ...) -> None: ...

class InvokeStreamRequest(_message.Message):
    __slots__ = ("function", "args_json", "kwargs_json", "timeout", "grace")
    FUNCTION_FIELD_NUMBER: _ClassVar[int]
    ARGS_JSON_FIELD_NUMBER: _ClassVar[int]
    KWARGS_JSON_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    GRACE_FIELD_NUMBER: _ClassVar[int]
    function: str
    args_json: str
    kwargs_json: str
    timeout: _duration_pb2.Duration
    grace: _duration_pb2.Duration
    def __init__(self, function: _Optional[str] = ..., args_json: _Optional[str] = ..., kwargs_json: _Optional[str] = ..., timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., grace: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class InvokeStreamResponse(_message.Message):
    __slots__ = ("item_json", "failure", "seq")
    ITEM_JSON_FIELD_NUMBER: _ClassVar[int]
    FAILURE_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    item_json: str
    failure: Failure
    seq: int
    def __init__(self, item_json: _Optional[str] = ..., failure: _Optional[_Union[Failure, _Mapping]] = ..., seq: _Optional[int] = ...) -> None: ...

class ListFunctionsRequest(_message.Message):
    __slots__ = ("language",)
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    language: str
    def __init__(self, language: _Optional[str] = ...) -> None: ...

class FunctionInfo(_message.Message):
    __slots__ = ("reference", "kind", "signature", "doc")
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    DOC_FIELD_NUMBER: _ClassVar[int]
    reference: str
    kind: str
    signature: str
    doc: str
    def __init__(self, reference: _Optional[str] = ..., kind: _Optional[str] = ..., signature: _Optional[str] = ..., doc: _Optional[str] = ...) -> None: ...

class ListFunctionsResponse(_message.Message):
    __slots__ = ("functions",)
    FUNCTIONS_FIELD_NUMBER: _ClassVar[int]
    functions: _containers.RepeatedCompositeFieldContainer[FunctionInfo]
    def __init__(self, functions: _Optional[_Iterable[_Union[FunctionInfo, _Mapping]]] = ...) -> None: ...

class ExecuteScriptRequest(_message.Message):
    __slots__ = ("lang", "code", "input_json", "timeout", "memory_mb", "cpu_ms", "max_output_bytes")
    LANG_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    INPUT_JSON_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    MEMORY_MB_FIELD_NUMBER: _ClassVar[int]
    CPU_MS_FIELD_NUMBER: _ClassVar[int]
    MAX_OUTPUT_BYTES_FIELD_NUMBER: _ClassVar[int]
    lang: str
    code: str
    input_json: str
    timeout: _duration_pb2.Duration
    memory_mb: int
    cpu_ms: int
    max_output_bytes: int
    def __init__(self, lang: _Optional[str] = ..., code: _Optional[str] = ..., input_json: _Optional[str] = ..., timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., memory_mb: _Optional[int] = ..., cpu_ms: _Optional[int] = ..., max_output_bytes: _Optional[int] = ...) -> None: ...

class ScriptVerdict(_message.Message):
    __slots__ = ("verdict", "result_json", "failure", "exit_code", "signal", "cpu_ms", "wall_ms", "peak_memory_bytes")
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    RESULT_JSON_FIELD_NUMBER: _ClassVar[int]
    FAILURE_FIELD_NUMBER: _ClassVar[int]
    EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    SIGNAL_FIELD_NUMBER: _ClassVar[int]
    CPU_MS_FIELD_NUMBER: _ClassVar[int]
    WALL_MS_FIELD_NUMBER: _ClassVar[int]
    PEAK_MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    verdict: Verdict
    result_json: str
    failure: Failure
    exit_code: int
    signal: int
    cpu_ms: int
    wall_ms: int
    peak_memory_bytes: int
    def __init__(self, verdict: _Optional[_Union[Verdict, str]] = ..., result_json: _Optional[str] = ..., failure: _Optional[_Union[Failure, _Mapping]] = ..., exit_code: _Optional[int] = ..., signal: _Optional[int] = ..., cpu_ms: _Optional[int] = ..., wall_ms: _Optional[int] = ..., peak_memory_bytes: _Optional[int] = ...) -> None: ...

class ExecuteScriptResponse(_message.Message):
    __slots__ = ("stdout", "stderr", "verdict")
    STDOUT_FIELD_NUMBER: _ClassVar[int]
    STDERR_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    stdout: str
    stderr: str
    verdict: ScriptVerdict
    def __init__(self, stdout: _Optional[str] = ..., stderr: _Optional[str] = ..., verdict: _Optional[_Union[ScriptVerdict, _Mapping]] = ...) -> None: ...

class ListSchedulesRequest(_message.Message):
    __slots__ = ("next_count",)
    NEXT_COUNT_FIELD_NUMBER: _ClassVar[int]
    next_count: int
    def __init__(self, next_count: _Optional[int] = ...) -> None: ...

class ScheduleInfo(_message.Message):
    __slots__ = ("workflow", "cron", "timezone", "overlap", "next", "last_slot", "last_run_id")
    WORKFLOW_FIELD_NUMBER: _ClassVar[int]
    CRON_FIELD_NUMBER: _ClassVar[int]
    TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    OVERLAP_FIELD_NUMBER: _ClassVar[int]
    NEXT_FIELD_NUMBER: _ClassVar[int]
    LAST_SLOT_FIELD_NUMBER: _ClassVar[int]
    LAST_RUN_ID_FIELD_NUMBER: _ClassVar[int]
    workflow: str
    cron: str
    timezone: str
    overlap: str
    next: _containers.RepeatedCompositeFieldContainer[_timestamp_pb2.Timestamp]
    last_slot: _timestamp_pb2.Timestamp
    last_run_id: str
    def __init__(self, workflow: _Optional[str] = ..., cron: _Optional[str] = ..., timezone: _Optional[str] = ..., overlap: _Optional[str] = ..., next: _Optional[_Iterable[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]]] = ..., last_slot: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_run_id: _Optional[str] = ...) -> None: ...

class ListSchedulesResponse(_message.Message):
    __slots__ = ("schedules",)
    SCHEDULES_FIELD_NUMBER: _ClassVar[int]
    schedules: _containers.RepeatedCompositeFieldContainer[ScheduleInfo]
    def __init__(self, schedules: _Optional[_Iterable[_Union[ScheduleInfo, _Mapping]]] = ...) -> None: ...
