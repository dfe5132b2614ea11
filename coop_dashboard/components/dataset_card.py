"""Dataset pieces shared by the catalog and the dataset pages: status badge, catalog card."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import Var

from coop_dashboard.components.address_chip import address_chip
from coop_dashboard.services.datasets.catalog_view import CatalogCard


def status_badge(label: Var[str] | str, scheme: Var[str] | str, **props: Any) -> rx.Component:
    return rx.badge(
        label, color_scheme=scheme, variant="soft", class_name="dataset-status", **props
    )


def catalog_card(card: CatalogCard) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.link(
                    rx.heading(card.name, size="4", class_name="dataset-name"),
                    href=card.link,
                ),
                rx.spacer(),
                status_badge(card.status_label, card.status_scheme),
                align="center",
                width="100%",
            ),
            rx.text(card.description, size="2", color_scheme="gray"),
            rx.hstack(
                rx.badge(card.modality, variant="outline", class_name="dataset-modality"),
                rx.cond(card.license != "", rx.badge(card.license, variant="outline")),
                rx.text(
                    rx.icon("star", size=12),
                    " ",
                    card.quality,
                    size="1",
                    class_name="dataset-quality",
                ),
                rx.text(card.used, size="1", color_scheme="gray"),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.hstack(
                rx.foreach(card.tags, lambda tag: rx.badge(tag, variant="surface", size="1")),
                spacing="1",
                wrap="wrap",
            ),
            address_chip(card.owner),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="dataset-card",
        custom_attrs={"data-dataset-id": card.dataset_id, "data-status": card.status},
    )
