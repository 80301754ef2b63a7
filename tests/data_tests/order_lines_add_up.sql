-- orders whose lines do not add up to the order's gross value (amount + discount), to the cent
select orders.order_id, orders.amount + orders.discount as gross, sum(order_items.line_amount) as lines_total
from orders
inner join order_items on order_items.order_id = orders.order_id
group by orders.order_id, orders.amount, orders.discount
having abs(orders.amount + orders.discount - sum(order_items.line_amount)) > 0.005
