"""Template filters that mask personal data (templates never print the clear values)."""

from django import template

from ..masking import mask_id_number, mask_mobile, mask_name

register = template.Library()
register.filter("mask_mobile", mask_mobile)
register.filter("mask_id_number", mask_id_number)
register.filter("mask_name", mask_name)
