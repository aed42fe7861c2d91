"""The sandbox reads ``<local@domain> [params]`` itself (aiosmtpd's header parser is its largest cost
per message): every answer must be aiosmtpd's own, for the shapes it reads and for every other."""

from __future__ import annotations

from aiosmtpd.smtp import SMTP
from hypothesis import given, settings
from hypothesis import strategies as st

from smtpgui.transport.sandboxserver import _SandboxSMTP

ATOM = st.text(alphabet="abcXYZ019!#$%&'*+/=?^_`{|}~-", min_size=1, max_size=8)
LABEL = st.from_regex(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,6}[A-Za-z0-9])?", fullmatch=True)
PARAM = st.from_regex(r"[A-Z]{1,6}=[!-~]{0,8}", fullmatch=True)
SPACE = st.sampled_from(["", " ", "  ", "\t", " \t "])


def _read(read, arg: str) -> object:  # type: ignore[no-untyped-def]
    try:
        return read(arg)
    except Exception as exc:  # aiosmtpd's parser raises on some input ('"'): ours must do the same
        return type(exc)


def _both(arg: str, local_limit: int = 0) -> tuple[object, object]:
    ours, theirs = _SandboxSMTP.__new__(_SandboxSMTP), SMTP.__new__(SMTP)
    ours.local_part_limit = theirs.local_part_limit = local_limit
    return _read(ours._getaddr, arg), _read(lambda a: SMTP._getaddr(theirs, a), arg)


@settings(max_examples=400, deadline=None)
@given(
    local=st.lists(ATOM, min_size=1, max_size=3).map(".".join),
    domain=st.lists(LABEL, min_size=1, max_size=4).map(".".join),
    params=st.lists(PARAM, max_size=3),
    lead=SPACE,
    gap=st.sampled_from([" ", "  ", "\t"]),
    tail=SPACE,
)
def test_the_common_shape_reads_as_aiosmtpd_reads_it(local, domain, params, lead, gap, tail) -> None:  # type: ignore[no-untyped-def]
    arg = f"{lead}<{local}@{domain}>" + (gap + " ".join(params) if params else "") + tail
    ours, theirs = _both(arg)
    assert ours == theirs, arg


@settings(max_examples=1500, deadline=None)
@given(
    st.one_of(
        st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
        st.text(alphabet='<>@.a0-_ \t"=[],:;\\()Z\u2028', max_size=24),  # near misses of the shape
        st.builds("<{}@{}>{}".format, ATOM, st.text(alphabet="ab.-0[]", max_size=8), st.text(max_size=8)),
    )
)
def test_any_argument_reads_as_aiosmtpd_reads_it(arg: str) -> None:
    assert _both(arg)[0] == _both(arg)[1]


def test_the_shapes_left_to_aiosmtpd_and_the_local_part_limit() -> None:
    for arg in ("<>", "ann@example.com", '<"a b"@c.d>', "<@x,@y:a@b>", "<a@[127.0.0.1]>", "<a..b@c>",
                "<a@b> SIZE=1", "<a@b>SIZE=1", "<ä@b.c>", "<a@b.c>\u2028X=1", " <a@b> ", "<a@b> X=1 "):  # fmt: skip
        ours, theirs = _both(arg)
        assert ours == theirs, arg
    assert _both("<abcdef@example.com>", local_limit=3) == ((None, None), (None, None))
