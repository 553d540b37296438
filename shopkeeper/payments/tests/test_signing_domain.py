"""Signing without a database: any tampering breaks the signature; the order of fields does not matter."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from shopkeeper.payments.domain.signing import SIGN_TYPE, canonical_string, signature, signature_valid, signed

SECRET = "test-secret-0123456789abcdefghijklmnop"
KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12).filter(
    lambda key: key not in {"sign", "sign_type"}
)
VALUES = st.text(min_size=1, max_size=30).filter(lambda value: "\x00" not in value)
PARAMS = st.dictionaries(KEYS, VALUES, min_size=1, max_size=10)


class TestCanonicalString:
    def test_sorted_non_empty_fields_without_the_signature(self) -> None:
        params = {"b": "2", "a": "1", "empty": "", "sign": "abc", "sign_type": SIGN_TYPE, "c": "x y"}
        assert canonical_string(params) == "a=1&b=2&c=x y"

    @given(params=PARAMS, data=st.data())
    def test_the_order_of_the_fields_does_not_matter(self, params: dict[str, str], data: st.DataObject) -> None:
        shuffled = dict(data.draw(st.permutations(list(params.items()))))
        assert canonical_string(shuffled) == canonical_string(params)
        assert signature(shuffled, SECRET) == signature(params, SECRET)

    @given(params=PARAMS, empty_key=KEYS)
    def test_empty_fields_are_not_signed(self, params: dict[str, str], empty_key: str) -> None:
        assume(empty_key not in params)
        assert signature({**params, empty_key: ""}, SECRET) == signature(params, SECRET)


class TestSignature:
    @given(params=PARAMS)
    def test_a_signed_message_verifies(self, params: dict[str, str]) -> None:
        message = signed(params, SECRET)
        assert message["sign_type"] == "HMAC-SHA256"
        assert len(message["sign"]) == 64
        assert signature_valid(message, SECRET)

    @given(params=PARAMS, data=st.data())
    def test_changing_any_field_breaks_the_signature(self, params: dict[str, str], data: st.DataObject) -> None:
        message = signed(params, SECRET)
        key = data.draw(st.sampled_from(sorted(params)))
        new_value = data.draw(VALUES.filter(lambda value: value != params[key]))
        assert not signature_valid({**message, key: new_value}, SECRET)

    @given(params=PARAMS, data=st.data())
    def test_removing_any_field_breaks_the_signature(self, params: dict[str, str], data: st.DataObject) -> None:
        message = signed(params, SECRET)
        key = data.draw(st.sampled_from(sorted(params)))
        tampered = dict(message)
        del tampered[key]
        assert not signature_valid(tampered, SECRET)
        assert not signature_valid({**message, key: ""}, SECRET)

    @given(params=PARAMS, extra_key=KEYS, extra_value=VALUES)
    def test_adding_a_field_breaks_the_signature(
        self, params: dict[str, str], extra_key: str, extra_value: str
    ) -> None:
        assume(extra_key not in params)
        assert not signature_valid({**signed(params, SECRET), extra_key: extra_value}, SECRET)

    @given(params=PARAMS, other=st.text(min_size=1, max_size=40))
    def test_another_secret_does_not_verify(self, params: dict[str, str], other: str) -> None:
        assume(other != SECRET)
        assert not signature_valid(signed(params, other), SECRET)

    @given(params=PARAMS, sign=st.text(max_size=70))
    def test_a_forged_sign_never_verifies(self, params: dict[str, str], sign: str) -> None:
        message = signed(params, SECRET)
        assume(sign != message["sign"])
        assert not signature_valid({**message, "sign": sign}, SECRET)  # non-ASCII included: no exception

    @pytest.mark.parametrize("sign_type", ["", "RSA2", "MD5", "hmac-sha256"])
    def test_only_hmac_sha256_is_accepted(self, sign_type: str) -> None:
        message = signed({"out_trade_no": "P1", "total_amount": "1.00"}, SECRET)
        assert not signature_valid({**message, "sign_type": sign_type}, SECRET)

    def test_a_missing_sign_does_not_verify(self) -> None:
        message = signed({"out_trade_no": "P1"}, SECRET)
        del message["sign"]
        assert not signature_valid(message, SECRET)

    def test_an_empty_secret_is_refused(self) -> None:
        with pytest.raises(ValueError, match="secret"):
            signature({"a": "1"}, "")
