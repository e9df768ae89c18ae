from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FunctionKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FUNCTION_KIND_UNSPECIFIED: _ClassVar[FunctionKind]
    ASYNC: _ClassVar[FunctionKind]
    SYNC: _ClassVar[FunctionKind]
    ASYNC_GENERATOR: _ClassVar[FunctionKind]
    GENERATOR: _ClassVar[FunctionKind]
    CALLBACK: _ClassVar[FunctionKind]

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
FUNCTION_KIND_UNSPECIFIED: FunctionKind
ASYNC: FunctionKind
SYNC: FunctionKind
ASYNC_GENERATOR: FunctionKind
GENERATOR: FunctionKind
CALLBACK: FunctionKind
CODE_UNSPECIFIED: Code
CANCELLED: Code
DEADLINE_EXCEEDED: Code
UNAVAILABLE: Code
RESOURCE_EXHAUSTED: Code
INVALID_ARGUMENT: Code
APPLICATION: Code
INTERNAL: Code

class WorkerBatch(_message.Message):
    __slots__ = ("frames",)
    FRAMES_FIELD_NUMBER: _ClassVar[int]
    frames: _containers.RepeatedCompositeFieldContainer[WorkerFrame]
    def __init__(self, frames: _Optional[_Iterable[_Union[WorkerFrame, _Mapping]]] = ...) -> None: ...

class GatewayBatch(_message.Message):
    __slots__ = ("frames",)
    FRAMES_FIELD_NUMBER: _ClassVar[int]
    frames: _containers.RepeatedCompositeFieldContainer[GatewayFrame]
    def __init__(self, frames: _Optional[_Iterable[_Union[GatewayFrame, _Mapping]]] = ...) -> None: ...

class WorkerFrame(_message.Message):
    __slots__ = ("hello", "outcome", "item", "heartbeat", "pong", "log", "nested_call", "nested_cancel")
    HELLO_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    PONG_FIELD_NUMBER: _ClassVar[int]
    LOG_FIELD_NUMBER: _ClassVar[int]
    NESTED_CALL_FIELD_NUMBER: _ClassVar[int]
    NESTED_CANCEL_FIELD_NUMBER: _ClassVar[int]
    hello: Hello
    outcome: Outcome
    item: StreamItem
    heartbeat: Heartbeat
    pong: Pong
    log: LogLine
    nested_call: NestedCall
    nested_cancel: Cancel
    def __init__(self, hello: _Optional[_Union[Hello, _Mapping]] = ..., outcome: _Optional[_Union[Outcome, _Mapping]] = ..., item: _Optional[_Union[StreamItem, _Mapping]] = ..., heartbeat: _Optional[_Union[Heartbeat, _Mapping]] = ..., pong: _Optional[_Union[Pong, _Mapping]] = ..., log: _Optional[_Union[LogLine, _Mapping]] = ..., nested_call: _Optional[_Union[NestedCall, _Mapping]] = ..., nested_cancel: _Optional[_Union[Cancel, _Mapping]] = ...) -> None: ...

class GatewayFrame(_message.Message):
    __slots__ = ("welcome", "invoke", "cancel", "ping", "credit", "shutdown", "nested_item", "nested_outcome")
    WELCOME_FIELD_NUMBER: _ClassVar[int]
    INVOKE_FIELD_NUMBER: _ClassVar[int]
    CANCEL_FIELD_NUMBER: _ClassVar[int]
    PING_FIELD_NUMBER: _ClassVar[int]
    CREDIT_FIELD_NUMBER: _ClassVar[int]
    SHUTDOWN_FIELD_NUMBER: _ClassVar[int]
    NESTED_ITEM_FIELD_NUMBER: _ClassVar[int]
    NESTED_OUTCOME_FIELD_NUMBER: _ClassVar[int]
    welcome: Welcome
    invoke: Invoke
    cancel: Cancel
    ping: Ping
    credit: StreamCredit
    shutdown: Shutdown
    nested_item: StreamItem
    nested_outcome: Outcome
    def __init__(self, welcome: _Optional[_Union[Welcome, _Mapping]] = ..., invoke: _Optional[_Union[Invoke, _Mapping]] = ..., cancel: _Optional[_Union[Cancel, _Mapping]] = ..., ping: _Optional[_Union[Ping, _Mapping]] = ..., credit: _Optional[_Union[StreamCredit, _Mapping]] = ..., shutdown: _Optional[_Union[Shutdown, _Mapping]] = ..., nested_item: _Optional[_Union[StreamItem, _Mapping]] = ..., nested_outcome: _Optional[_Union[Outcome, _Mapping]] = ...) -> None: ...

class Payload(_message.Message):
    __slots__ = ("encoding", "data")
    ENCODING_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    encoding: str
    data: bytes
    def __init__(self, encoding: _Optional[str] = ..., data: _Optional[bytes] = ...) -> None: ...

class FunctionInfo(_message.Message):
    __slots__ = ("name", "kind", "signature", "doc", "keywords", "keywords_known")
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    DOC_FIELD_NUMBER: _ClassVar[int]
    KEYWORDS_FIELD_NUMBER: _ClassVar[int]
    KEYWORDS_KNOWN_FIELD_NUMBER: _ClassVar[int]
    name: str
    kind: FunctionKind
    signature: str
    doc: str
    keywords: _containers.RepeatedScalarFieldContainer[str]
    keywords_known: bool
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[_Union[FunctionKind, str]] = ..., signature: _Optional[str] = ..., doc: _Optional[str] = ..., keywords: _Optional[_Iterable[str]] = ..., keywords_known: bool = ...) -> None: ...

class Hello(_message.Message):
    __slots__ = ("language", "runtime_version", "worker_id", "token", "max_in_flight", "catalog", "pid", "protocol_version", "module_errors", "pool")
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_VERSION_FIELD_NUMBER: _ClassVar[int]
    WORKER_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_IN_FLIGHT_FIELD_NUMBER: _ClassVar[int]
    CATALOG_FIELD_NUMBER: _ClassVar[int]
    PID_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    MODULE_ERRORS_FIELD_NUMBER: _ClassVar[int]
    POOL_FIELD_NUMBER: _ClassVar[int]
    language: str
    runtime_version: str
    worker_id: str
    token: str
    max_in_flight: int
    catalog: _containers.RepeatedCompositeFieldContainer[FunctionInfo]
    pid: int
    protocol_version: str
    module_errors: _containers.RepeatedCompositeFieldContainer[ModuleError]
    pool: str
    def __init__(self, language: _Optional[str] = ..., runtime_version: _Optional[str] = ..., worker_id: _Optional[str] = ..., token: _Optional[str] = ..., max_in_flight: _Optional[int] = ..., catalog: _Optional[_Iterable[_Union[FunctionInfo, _Mapping]]] = ..., pid: _Optional[int] = ..., protocol_version: _Optional[str] = ..., module_errors: _Optional[_Iterable[_Union[ModuleError, _Mapping]]] = ..., pool: _Optional[str] = ...) -> None: ...

class ModuleError(_message.Message):
    __slots__ = ("module", "message")
    MODULE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    module: str
    message: str
    def __init__(self, module: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class Welcome(_message.Message):
    __slots__ = ("max_payload_bytes", "ping_interval_ms", "grace_ms", "cancel_grace_ms", "lost_grace_ms", "close_wait_ms")
    MAX_PAYLOAD_BYTES_FIELD_NUMBER: _ClassVar[int]
    PING_INTERVAL_MS_FIELD_NUMBER: _ClassVar[int]
    GRACE_MS_FIELD_NUMBER: _ClassVar[int]
    CANCEL_GRACE_MS_FIELD_NUMBER: _ClassVar[int]
    LOST_GRACE_MS_FIELD_NUMBER: _ClassVar[int]
    CLOSE_WAIT_MS_FIELD_NUMBER: _ClassVar[int]
    max_payload_bytes: int
    ping_interval_ms: int
    grace_ms: int
    cancel_grace_ms: int
    lost_grace_ms: int
    close_wait_ms: int
    def __init__(self, max_payload_bytes: _Optional[int] = ..., ping_interval_ms: _Optional[int] = ..., grace_ms: _Optional[int] = ..., cancel_grace_ms: _Optional[int] = ..., lost_grace_ms: _Optional[int] = ..., close_wait_ms: _Optional[int] = ...) -> None: ...

class Invoke(_message.Message):
    __slots__ = ("call_id", "function", "args", "kwargs", "remaining_ms", "attempt", "initial_credit", "grace_ms", "idempotency_key", "secrets")
    class SecretsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_FIELD_NUMBER: _ClassVar[int]
    ARGS_FIELD_NUMBER: _ClassVar[int]
    KWARGS_FIELD_NUMBER: _ClassVar[int]
    REMAINING_MS_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    INITIAL_CREDIT_FIELD_NUMBER: _ClassVar[int]
    GRACE_MS_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    SECRETS_FIELD_NUMBER: _ClassVar[int]
    call_id: int
    function: str
    args: Payload
    kwargs: Payload
    remaining_ms: int
    attempt: int
    initial_credit: int
    grace_ms: int
    idempotency_key: str
    secrets: _containers.ScalarMap[str, str]
    def __init__(self, call_id: _Optional[int] = ..., function: _Optional[str] = ..., args: _Optional[_Union[Payload, _Mapping]] = ..., kwargs: _Optional[_Union[Payload, _Mapping]] = ..., remaining_ms: _Optional[int] = ..., attempt: _Optional[int] = ..., initial_credit: _Optional[int] = ..., grace_ms: _Optional[int] = ..., idempotency_key: _Optional[str] = ..., secrets: _Optional[_Mapping[str, str]] = ...) -> None: ...

class Cancel(_message.Message):
    __slots__ = ("call_id", "reason")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    call_id: int
    reason: str
    def __init__(self, call_id: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class Failure(_message.Message):
    __slots__ = ("code", "type", "message", "language", "stack", "cause", "retryable", "details", "reason")
    CODE_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    STACK_FIELD_NUMBER: _ClassVar[int]
    CAUSE_FIELD_NUMBER: _ClassVar[int]
    RETRYABLE_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    code: Code
    type: str
    message: str
    language: str
    stack: str
    cause: Failure
    retryable: bool
    details: Payload
    reason: str
    def __init__(self, code: _Optional[_Union[Code, str]] = ..., type: _Optional[str] = ..., message: _Optional[str] = ..., language: _Optional[str] = ..., stack: _Optional[str] = ..., cause: _Optional[_Union[Failure, _Mapping]] = ..., retryable: bool = ..., details: _Optional[_Union[Payload, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class Outcome(_message.Message):
    __slots__ = ("call_id", "value", "failure", "items")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    FAILURE_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    call_id: int
    value: Payload
    failure: Failure
    items: int
    def __init__(self, call_id: _Optional[int] = ..., value: _Optional[_Union[Payload, _Mapping]] = ..., failure: _Optional[_Union[Failure, _Mapping]] = ..., items: _Optional[int] = ...) -> None: ...

class StreamItem(_message.Message):
    __slots__ = ("call_id", "seq", "value")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    call_id: int
    seq: int
    value: Payload
    def __init__(self, call_id: _Optional[int] = ..., seq: _Optional[int] = ..., value: _Optional[_Union[Payload, _Mapping]] = ...) -> None: ...

class StreamCredit(_message.Message):
    __slots__ = ("call_id", "credit")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    CREDIT_FIELD_NUMBER: _ClassVar[int]
    call_id: int
    credit: int
    def __init__(self, call_id: _Optional[int] = ..., credit: _Optional[int] = ...) -> None: ...

class Heartbeat(_message.Message):
    __slots__ = ("call_id", "details")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    call_id: int
    details: Payload
    def __init__(self, call_id: _Optional[int] = ..., details: _Optional[_Union[Payload, _Mapping]] = ...) -> None: ...

class Ping(_message.Message):
    __slots__ = ("seq",)
    SEQ_FIELD_NUMBER: _ClassVar[int]
    seq: int
    def __init__(self, seq: _Optional[int] = ...) -> None: ...

class Pong(_message.Message):
    __slots__ = ("seq", "in_flight")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    IN_FLIGHT_FIELD_NUMBER: _ClassVar[int]
    seq: int
    in_flight: int
    def __init__(self, seq: _Optional[int] = ..., in_flight: _Optional[int] = ...) -> None: ...

class LogLine(_message.Message):
    __slots__ = ("level", "logger", "message", "call_id")
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    LOGGER_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    level: str
    logger: str
    message: str
    call_id: int
    def __init__(self, level: _Optional[str] = ..., logger: _Optional[str] = ..., message: _Optional[str] = ..., call_id: _Optional[int] = ...) -> None: ...

class Shutdown(_message.Message):
    __slots__ = ("grace_ms", "reason")
    GRACE_MS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    grace_ms: int
    reason: str
    def __init__(self, grace_ms: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class NestedCall(_message.Message):
    __slots__ = ("call_id", "parent_call_id", "function", "args", "kwargs", "remaining_ms", "initial_credit")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_CALL_ID_FIELD_NUMBER: _ClassVar[int]
    FUNCTION_FIELD_NUMBER: _ClassVar[int]
    ARGS_FIELD_NUMBER: _ClassVar[int]
    KWARGS_FIELD_NUMBER: _ClassVar[int]
    REMAINING_MS_FIELD_NUMBER: _ClassVar[int]
    INITIAL_CREDIT_FIELD_NUMBER: _ClassVar[int]
    call_id: int
    parent_call_id: int
    function: str
    args: Payload
    kwargs: Payload
    remaining_ms: int
    initial_credit: int
    def __init__(self, call_id: _Optional[int] = ..., parent_call_id: _Optional[int] = ..., function: _Optional[str] = ..., args: _Optional[_Union[Payload, _Mapping]] = ..., kwargs: _Optional[_Union[Payload, _Mapping]] = ..., remaining_ms: _Optional[int] = ..., initial_credit: _Optional[int] = ...) -> None: ...
