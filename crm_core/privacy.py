"""Contact details are masked on screen; full values appear only in exports made on purpose."""

from __future__ import annotations


def mask_email(email: object) -> str:
    """'u123456789@example.com' -> 'u1********@example.com'."""
    if not isinstance(email, str) or "@" not in email:
        return ""
    local, domain = email.split("@", 1)
    keep = local[:2] if len(local) > 2 else local[:1]
    return f"{keep}{'*' * max(len(local) - len(keep), 1)}@{domain}"


def mask_phone(phone: object) -> str:
    """'13812345678' -> '138****5678'; short numbers keep only their last two digits."""
    if not isinstance(phone, str) or not phone:
        return ""
    digits = phone.strip()
    if len(digits) >= 7:
        return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"
    return f"{'*' * max(len(digits) - 2, 1)}{digits[-2:]}"
